import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { ApprovalPath } from '../../approval-path.request.dto';
import { WithdrawApprovalCommand } from './withdraw-approval.command';
import { WithdrawApprovalRequest } from './withdraw-approval.request.dto';

@ApiTags('approvals')
@Controller('approvals')
export class WithdrawApprovalHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/withdrawal')
  @Allow('data-scientist')
  @ApiOperation({ summary: 'Withdraw a pending approval request (only its requester)' })
  @ApiWrite({ problems: [404] })
  withdraw(
    @Param() path: ApprovalPath,
    @Body() body: WithdrawApprovalRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, reason } = body;
    return this.commands.execute(
      new WithdrawApprovalCommand(
        { approvalId: path.id, reason: reason ?? null },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
