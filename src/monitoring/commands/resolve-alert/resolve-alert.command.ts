import type { CommandContext } from '../../../ledger/commands/command-context';
import type { ResolveAlert } from '../../alert.decider';

export class ResolveAlertCommand {
  constructor(
    readonly input: ResolveAlert['data'],
    readonly context: CommandContext,
  ) {}
}
