import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { normalisedWindow } from '../../../predictions/window.request.dto';
import { SignalWriteResult } from '../signal.request.dto';
import { RecordDriftCommand } from './record-drift.command';
import { RecordDriftRequest } from './record-drift.request.dto';

@ApiTags('monitoring')
@Controller('monitoring')
export class RecordDriftHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post('drift')
  @Allow('pipeline')
  @ApiOperation({
    summary:
      'Record a drift measurement of a deployment’s feature; above its threshold it also raises an alert (the id answered is the signal id)',
    description:
      'Written to the deployment’s monitoring stream; a breach (value > threshold) raises a drift alert in a new alert stream in the same request (alertId). The same measurement (version, feature, metric, window) sent again with the same figures records nothing more; with other figures it is 409 signal-already-recorded. A version never deployed there is 422 version-not-deployed; an unrecorded deployment 404.',
  })
  @ApiCreatedResponse({ type: SignalWriteResult })
  @ApiWrite({ problems: [404] })
  record(
    @Body() body: RecordDriftRequest,
    @Command() context: CommandContext,
  ): Promise<SignalWriteResult> {
    const { source } = body;
    return this.commands.execute(
      new RecordDriftCommand(
        {
          deploymentId: body.deploymentId,
          version: body.version,
          feature: body.feature,
          metric: body.metric,
          value: body.value,
          threshold: body.threshold,
          window: normalisedWindow(body.window),
        },
        body.severity ?? 'medium',
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
