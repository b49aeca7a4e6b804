import type { CommandContext } from '../../../ledger/commands/command-context';
import type { SetMonitoringPolicy } from '../../monitoring-policy.decider';

export class SetMonitoringPolicyCommand {
  constructor(
    readonly input: SetMonitoringPolicy['data'],
    readonly context: CommandContext,
  ) {}
}
