import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RaiseAlert } from '../../alert.decider';

export class RaiseAlertCommand {
  constructor(
    readonly input: Omit<RaiseAlert['data'], 'alertId' | 'model' | 'environment'>,
    readonly context: CommandContext,
  ) {}
}
