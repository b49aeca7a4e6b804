import type { CommandContext } from '../../../ledger/commands/command-context';
import type { FailTrainingRun } from '../../training-run.decider';

export class FailTrainingRunCommand {
  constructor(
    readonly input: FailTrainingRun['data'],
    readonly context: CommandContext,
  ) {}
}
