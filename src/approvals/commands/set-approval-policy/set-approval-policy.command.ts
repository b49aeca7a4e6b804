import type { CommandContext } from '../../../ledger/commands/command-context';
import type { SetApprovalPolicy } from '../../approval-policy.decider';

export class SetApprovalPolicyCommand {
  constructor(
    readonly input: SetApprovalPolicy['data'],
    readonly context: CommandContext,
  ) {}
}
