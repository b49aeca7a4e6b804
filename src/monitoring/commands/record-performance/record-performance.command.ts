import type { CommandContext } from '../../../ledger/commands/command-context';
import type { AlertSeverity } from '../../monitoring.events';
import type { RecordPerformance } from '../../monitoring-signal.decider';

export class RecordPerformanceCommand {
  constructor(
    readonly input: Omit<RecordPerformance['data'], 'signalId' | 'model' | 'environment'>,
    readonly severity: AlertSeverity,
    readonly context: CommandContext,
  ) {}
}
