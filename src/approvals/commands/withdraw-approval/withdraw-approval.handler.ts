import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { approvalDecider } from '../../approval.decider';
import { WithdrawApprovalCommand } from './withdraw-approval.command';

@CommandHandler(WithdrawApprovalCommand)
export class WithdrawApprovalHandler implements ICommandHandler<WithdrawApprovalCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: WithdrawApprovalCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.approval(input.approvalId),
      approvalDecider,
      { type: 'WithdrawApproval', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(input.approvalId, outcome);
  }
}
