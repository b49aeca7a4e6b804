import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { DeploymentPath } from '../../deployment-path.request.dto';
import { RetireDeploymentCommand } from './retire-deployment.command';
import { RetireDeploymentRequest } from './retire-deployment.request.dto';

@ApiTags('deployments')
@Controller('deployments')
export class RetireDeploymentHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/retirement')
  @Allow('pipeline', 'risk-manager')
  @ApiOperation({
    summary:
      'Retire a deployment: it serves nothing from now on (a repeat is a no-op; a later deploy starts it afresh)',
  })
  @ApiWrite({ problems: [404] })
  retire(
    @Param() { id }: DeploymentPath,
    @Body() body: RetireDeploymentRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source } = body;
    return this.commands.execute(
      new RetireDeploymentCommand(
        { deploymentId: id, reason: body.reason },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
