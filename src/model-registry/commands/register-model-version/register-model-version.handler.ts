import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import {
  type TrainingRunState,
  trainingRunDecider,
} from '../../../training-runs/training-run.decider';
import { type TrainingRunFacts, modelDecider } from '../../model.decider';
import { RegisterModelVersionCommand } from './register-model-version.command';

@CommandHandler(RegisterModelVersionCommand)
export class RegisterModelVersionHandler implements ICommandHandler<RegisterModelVersionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RegisterModelVersionCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.model(input.model),
      modelDecider,
      async (facts) => ({
        type: 'RegisterModelVersion' as const,
        data: input,
        run: runFacts(await facts.state(trainingRunDecider, streams.trainingRun(input.runId))),
        actor: context.actor.sub,
        now: context.now,
      }),
      context,
    );
    return writeResult(`${input.model}@${input.version}`, outcome);
  }
}

/** What registration needs to know of the run, read from the run's own stream. */
function runFacts(run: TrainingRunState): TrainingRunFacts | null {
  if (run.status === 'unknown') return null;
  return {
    model: run.started.model,
    status: run.status,
    startedBy: run.started.startedBy,
    datasetVersions: run.started.datasetVersions,
    artifactDigest: run.status === 'completed' ? run.completed.artifact.digest : null,
  };
}
