import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RegisterDatasetVersion } from '../../dataset.decider';

export class RegisterDatasetVersionCommand {
  constructor(
    readonly input: RegisterDatasetVersion['data'],
    readonly context: CommandContext,
  ) {}
}
