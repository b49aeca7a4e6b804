import type { DatasetVersionRef } from '../../../datasets/dataset.events';
import type { CommandContext } from '../../../ledger/commands/command-context';
import type { StartTrainingRun } from '../../training-run.decider';

export class StartTrainingRunCommand {
  constructor(
    /** Everything the run states except its id, which the handler creates. */
    readonly input: Omit<StartTrainingRun['data'], 'runId'> & {
      datasetVersions: DatasetVersionRef[];
    },
    readonly context: CommandContext,
  ) {}
}
