import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { DatasetVersionRef } from '../../../datasets/dataset.events';
import { datasetDecider } from '../../../datasets/dataset.decider';
import { newId } from '../../../ledger/commands/command-context';
import { type FactReader, StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { type DatasetVersionLookup, trainingRunDecider } from '../../training-run.decider';
import { StartTrainingRunCommand } from './start-training-run.command';

@CommandHandler(StartTrainingRunCommand)
export class StartTrainingRunHandler implements ICommandHandler<StartTrainingRunCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: StartTrainingRunCommand): Promise<WriteResult> {
    const { datasetVersions, ...run } = input;
    const runId = newId(context, 'training-run');
    const outcome = await this.writer.execute(
      streams.trainingRun(runId),
      trainingRunDecider,
      // The datasets' streams are conditions of the append: a retirement that lands first
      // makes this decide again (docs/consistency.md).
      async (facts) => ({
        type: 'StartTrainingRun' as const,
        data: { runId, ...run },
        datasetVersions: await lookUp(facts, datasetVersions),
        actor: context.actor.sub,
        now: context.now,
      }),
      context,
      { fresh: true },
    );
    return writeResult(runId, outcome);
  }
}

/** Each dataset version as its own stream records it (content hash, retired or not). */
async function lookUp(
  facts: FactReader,
  refs: DatasetVersionRef[],
): Promise<DatasetVersionLookup[]> {
  const names = [...new Set(refs.map((ref) => ref.name))];
  const loaded = new Map(
    await Promise.all(
      names.map(
        async (name) => [name, await facts.state(datasetDecider, streams.dataset(name))] as const,
      ),
    ),
  );
  return refs.map(({ name, version }) => {
    const recorded = loaded.get(name)?.versions.get(version);
    return {
      name,
      version,
      recorded: recorded ? { contentHash: recorded.contentHash, retired: recorded.retired } : null,
    };
  });
}
