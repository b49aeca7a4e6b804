import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { ModelVersionPath } from '../../model-path.request.dto';
import { RetireModelVersionCommand } from './retire-model-version.command';
import { RetireModelVersionRequest } from './retire-model-version.request.dto';

@ApiTags('models')
@Controller('models')
export class RetireModelVersionHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':name/versions/:version/retirement')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      'Retire a model version: no more card updates or evaluations (retiring again is a no-op); answers id <name>@<version>',
  })
  @ApiWrite({ problems: [404] })
  retire(
    @Param() path: ModelVersionPath,
    @Body() body: RetireModelVersionRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, reason } = body;
    return this.commands.execute(
      new RetireModelVersionCommand(
        { model: path.name, version: path.version, reason },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
