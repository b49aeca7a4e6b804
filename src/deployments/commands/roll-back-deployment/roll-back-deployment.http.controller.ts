import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { DeploymentPath } from '../../deployment-path.request.dto';
import { RollBackDeploymentCommand } from './roll-back-deployment.command';
import { RollBackDeploymentRequest } from './roll-back-deployment.request.dto';

@ApiTags('deployments')
@Controller('deployments')
export class RollBackDeploymentHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/rollback')
  @Allow('pipeline', 'risk-manager')
  @ApiOperation({
    summary:
      'Roll back: drop a running canary, else return to the previously deployed full version (none left: the deployment becomes inactive)',
  })
  @ApiWrite({ problems: [404] })
  rollBack(
    @Param() { id }: DeploymentPath,
    @Body() body: RollBackDeploymentRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source } = body;
    return this.commands.execute(
      new RollBackDeploymentCommand(
        { deploymentId: id, reason: body.reason, automatic: body.automatic ?? false },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
