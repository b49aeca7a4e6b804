import type { CommandContext } from '../../../ledger/commands/command-context';
import type { AlertSeverity } from '../../monitoring.events';
import type { RecordDrift } from '../../monitoring-signal.decider';

export class RecordDriftCommand {
  constructor(
    readonly input: Omit<RecordDrift['data'], 'signalId' | 'model' | 'environment'>,
    readonly severity: AlertSeverity,
    readonly context: CommandContext,
  ) {}
}
