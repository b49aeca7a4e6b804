import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { trainingRunDecider } from '../../training-run.decider';
import { FailTrainingRunCommand } from './fail-training-run.command';

@CommandHandler(FailTrainingRunCommand)
export class FailTrainingRunHandler implements ICommandHandler<FailTrainingRunCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: FailTrainingRunCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.trainingRun(input.runId),
      trainingRunDecider,
      { type: 'FailTrainingRun', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(input.runId, outcome);
  }
}
