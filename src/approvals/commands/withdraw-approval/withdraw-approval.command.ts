import type { CommandContext } from '../../../ledger/commands/command-context';
import type { WithdrawApproval } from '../../approval.decider';

export class WithdrawApprovalCommand {
  constructor(
    readonly input: WithdrawApproval['data'],
    readonly context: CommandContext,
  ) {}
}
