import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { DeploymentPath } from '../../deployment-path.request.dto';
import { PromoteDeploymentCommand } from './promote-deployment.command';
import { PromoteDeploymentRequest } from './promote-deployment.request.dto';

@ApiTags('deployments')
@Controller('deployments')
export class PromoteDeploymentHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/promotion')
  @Allow('pipeline', 'risk-manager')
  @ApiOperation({
    summary: 'Give the running canary all traffic (409 no-canary when none runs)',
  })
  @ApiWrite({ problems: [404] })
  promote(
    @Param() { id }: DeploymentPath,
    // The body is optional: a bare POST promotes.
    @Body() body: PromoteDeploymentRequest | undefined,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const source = body?.source;
    return this.commands.execute(
      new PromoteDeploymentCommand(
        { deploymentId: id },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
