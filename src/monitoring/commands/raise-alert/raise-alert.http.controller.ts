import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { RaiseAlertCommand } from './raise-alert.command';
import { RaiseAlertRequest } from './raise-alert.request.dto';

@ApiTags('monitoring')
@Controller('alerts')
export class RaiseAlertHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Allow('pipeline', 'risk-manager')
  @ApiOperation({
    summary: 'Raise an alert on a recorded deployment (the id answered is the alert id)',
    description:
      'For what no threshold caught (operational, fairness…). A causeEventId must be a drift or performance signal of the same deployment (422 unknown-cause); an unrecorded deployment is 404.',
  })
  @ApiWrite({ problems: [404] })
  raise(@Body() body: RaiseAlertRequest, @Command() context: CommandContext): Promise<WriteResult> {
    const { source } = body;
    return this.commands.execute(
      new RaiseAlertCommand(
        {
          deploymentId: body.deploymentId,
          severity: body.severity,
          kind: body.kind,
          summary: body.summary,
          causeEventId: body.causeEventId ?? null,
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
