import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { DecideApprovalStageCommand } from './decide-approval-stage.command';
import { ApprovalPath } from '../../approval-path.request.dto';
import { DecideApprovalStageRequest } from './decide-approval-stage.request.dto';

@ApiTags('approvals')
@Controller('approvals')
export class DecideApprovalStageHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/decisions')
  @Allow('risk-manager', 'compliance-officer')
  @ApiOperation({
    summary:
      'Grant or reject the pending stage (holder of the stage’s role; never the registrant, the training run’s author or the requester; one stage per person). A rejection needs a comment, and so does a grant where the approval policy requires one (by default for high-risk versions: 422 grant-comment-required). Granting the last stage approves the version.',
  })
  @ApiWrite({ problems: [404] })
  decide(
    @Param() path: ApprovalPath,
    @Body() body: DecideApprovalStageRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, decision, stage, comment } = body;
    return this.commands.execute(
      new DecideApprovalStageCommand(
        { approvalId: path.id, decision, stage: stage ?? null, comment: comment ?? null },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
