import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { AlertPath } from '../alert-path.request.dto';
import { ResolveAlertCommand } from './resolve-alert.command';
import { ResolveAlertRequest } from './resolve-alert.request.dto';

@ApiTags('monitoring')
@Controller('alerts')
export class ResolveAlertHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/resolution')
  @Allow('pipeline', 'risk-manager')
  @ApiOperation({
    summary: 'Resolve an open alert, once',
    description:
      'The same resolution sent again records nothing more; another resolution of a resolved alert is 409 alert-already-resolved; an unknown alert 404.',
  })
  @ApiWrite({ problems: [404] })
  resolve(
    @Param() { id }: AlertPath,
    @Body() body: ResolveAlertRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source } = body;
    return this.commands.execute(
      new ResolveAlertCommand(
        { alertId: id, resolution: body.resolution },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
