import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { DeployModelCommand } from './deploy-model.command';
import { DeployModelRequest } from './deploy-model.request.dto';

@ApiTags('deployments')
@Controller('deployments')
export class DeployModelHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Allow('pipeline', 'risk-manager')
  @ApiOperation({
    summary:
      'Deploy a registered model version to an environment, fully or as a canary (the id is <model>.<environment>; the version already serving all traffic again is a no-op)',
    description:
      'Production needs `approvalId` naming a granted approval of exactly this version and environment; so does every environment for a caller deploying as a pipeline (not a risk manager). A canary while another runs is refused (409 canary-in-progress); the same canary with a new percentage ramps it.',
  })
  @ApiWrite()
  deploy(
    @Body() body: DeployModelRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, ...request } = body;
    return this.commands.execute(
      new DeployModelCommand(
        {
          model: request.model,
          version: request.version,
          environment: request.environment,
          strategy: request.strategy,
          canaryPercent: request.strategy === 'canary' ? (request.canaryPercent ?? null) : null,
          approvalId: request.approvalId ?? null,
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
