import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { APPROVAL_POLICY_ID, approvalPolicyDecider } from '../../approval-policy.decider';
import { SetApprovalPolicyCommand } from './set-approval-policy.command';

@CommandHandler(SetApprovalPolicyCommand)
export class SetApprovalPolicyHandler implements ICommandHandler<SetApprovalPolicyCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: SetApprovalPolicyCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.approvalPolicy(),
      approvalPolicyDecider,
      { type: 'SetApprovalPolicy', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(APPROVAL_POLICY_ID, outcome);
  }
}
