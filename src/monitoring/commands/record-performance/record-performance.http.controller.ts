import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { normalisedWindow } from '../../../predictions/window.request.dto';
import { SignalWriteResult } from '../signal.request.dto';
import { RecordPerformanceCommand } from './record-performance.command';
import { RecordPerformanceRequest } from './record-performance.request.dto';

@ApiTags('monitoring')
@Controller('monitoring')
export class RecordPerformanceHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post('performance')
  @Allow('pipeline')
  @ApiOperation({
    summary:
      'Record a performance measurement of a deployment; past its threshold on the worse side it also raises an alert (the id answered is the signal id)',
    description:
      'Written to the deployment’s monitoring stream as PerformanceDegraded with breached true or false; a breach raises a performance alert in the same request (alertId). Repeats and refusals as for drift.',
  })
  @ApiCreatedResponse({ type: SignalWriteResult })
  @ApiWrite({ problems: [404] })
  record(
    @Body() body: RecordPerformanceRequest,
    @Command() context: CommandContext,
  ): Promise<SignalWriteResult> {
    const { source } = body;
    return this.commands.execute(
      new RecordPerformanceCommand(
        {
          deploymentId: body.deploymentId,
          version: body.version,
          metric: body.metric,
          value: body.value,
          threshold: body.threshold,
          higherIsBetter: body.higherIsBetter,
          window: normalisedWindow(body.window),
        },
        body.severity ?? 'medium',
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
