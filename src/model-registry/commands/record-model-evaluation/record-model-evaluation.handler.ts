import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { datasetDecider } from '../../../datasets/dataset.decider';
import { newId } from '../../../ledger/commands/command-context';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { modelDecider } from '../../model.decider';
import { RecordModelEvaluationCommand } from './record-model-evaluation.command';

@CommandHandler(RecordModelEvaluationCommand)
export class RecordModelEvaluationHandler implements ICommandHandler<RecordModelEvaluationCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RecordModelEvaluationCommand): Promise<WriteResult> {
    const { name, version } = input.datasetVersion;
    const dataset = await this.writer.load(datasetDecider, streams.dataset(name));
    const evaluationId = input.evaluationId ?? newId(context, 'evaluation');
    const outcome = await this.writer.execute(
      streams.model(input.model),
      modelDecider,
      {
        type: 'RecordEvaluation',
        data: { ...input, evaluationId },
        datasetContentHash: dataset.state.versions.get(version)?.contentHash ?? null,
        actor: context.actor.sub,
        now: context.now,
      },
      context,
    );
    return writeResult(evaluationId, outcome);
  }
}
