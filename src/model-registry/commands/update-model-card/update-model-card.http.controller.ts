import { Body, Controller, Param, Patch } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { InvalidRequest } from '../../../ledger/ledger.errors';
import type { CardChanges } from '../../model.decider';
import { ModelVersionPath } from '../../model-path.request.dto';
import { UpdateModelCardCommand } from './update-model-card.command';
import { UpdateModelCardRequest } from './update-model-card.request.dto';

@ApiTags('models')
@Controller('models')
export class UpdateModelCardHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Patch(':name/versions/:version/card')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      'Change model card fields: the event records only the fields that change (earlier values stay in the ledger); answers id <name>@<version>',
  })
  @ApiWrite({ status: 200, problems: [404] })
  update(
    @Param() path: ModelVersionPath,
    @Body() body: UpdateModelCardRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, ...request } = body;
    const changes: CardChanges = Object.fromEntries(
      Object.entries(request).filter(([, value]) => value !== undefined),
    );
    if (Object.keys(changes).length === 0) {
      throw new InvalidRequest('a card update names at least one field', {
        body: ['name at least one model card field to change'],
      });
    }
    return this.commands.execute(
      new UpdateModelCardCommand(
        { model: path.name, version: path.version, changes },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
