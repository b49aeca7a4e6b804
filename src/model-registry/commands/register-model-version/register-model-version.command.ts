import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RegisterModelVersion } from '../../model.decider';

export class RegisterModelVersionCommand {
  constructor(
    readonly input: RegisterModelVersion['data'],
    readonly context: CommandContext,
  ) {}
}
