import type { CommandContext } from '../../../ledger/commands/command-context';
import type { DecideApprovalStage } from '../../approval.decider';

export class DecideApprovalStageCommand {
  constructor(
    readonly input: DecideApprovalStage['data'],
    readonly context: CommandContext,
  ) {}
}
