import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import { PRODUCTION } from '../../../ledger/commands/identifiers';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { RequestApprovalCommand } from './request-approval.command';
import { ModelVersionPath, RequestApprovalRequest } from './request-approval.request.dto';

@ApiTags('approvals')
@Controller('models')
export class RequestApprovalHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':name/versions/:version/approval-requests')
  @Allow('data-scientist')
  @ApiOperation({
    summary:
      'Request approval of a model version for an environment: stages from the approval policy for its risk tier, evidence digest over artifact, datasets and evaluations',
  })
  @ApiWrite({ problems: [404] })
  request(
    @Param() path: ModelVersionPath,
    @Body() body: RequestApprovalRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, environment, comment } = body;
    return this.commands.execute(
      new RequestApprovalCommand(
        {
          model: path.name,
          version: path.version,
          environment: environment ?? PRODUCTION,
          comment: comment ?? null,
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
