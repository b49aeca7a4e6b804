import type { CommandContext } from '../../../ledger/commands/command-context';
import type { CompleteTrainingRun } from '../../training-run.decider';

export class CompleteTrainingRunCommand {
  constructor(
    readonly input: CompleteTrainingRun['data'],
    readonly context: CommandContext,
  ) {}
}
