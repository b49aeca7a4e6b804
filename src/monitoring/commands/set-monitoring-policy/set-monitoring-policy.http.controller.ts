import { Body, Controller, HttpCode, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import type { MonitoringPolicy } from '../../monitoring-policy';
import { SetMonitoringPolicyCommand } from './set-monitoring-policy.command';
import { SetMonitoringPolicyRequest } from './set-monitoring-policy.request.dto';

@ApiTags('monitoring')
@Controller('policies')
export class SetMonitoringPolicyHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Put('monitoring')
  @HttpCode(200)
  @Allow('compliance-officer', 'admin')
  @ApiOperation({
    summary:
      'Set how Attest monitors deployments: PSI warn and alert levels, the window pooled per figure, realised-performance bounds, whether a breach rolls back or triggers retraining, and the retraining cadence, as overrides by default, risk tier and model; each change is a new version (the same policy again is a no-op)',
  })
  @ApiWrite({ status: 200 })
  set(
    @Body() body: SetMonitoringPolicyRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, ...rest } = body;
    // Plain objects for the decider, which checks every value (and names its field).
    const policy = JSON.parse(
      JSON.stringify({
        default: rest.default ?? {},
        tiers: rest.tiers ?? {},
        models: rest.models ?? {},
      }),
    ) as MonitoringPolicy;
    return this.commands.execute(
      new SetMonitoringPolicyCommand(
        { policy },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
