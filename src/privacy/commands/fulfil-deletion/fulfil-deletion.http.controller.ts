import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { DeletionRequestPath } from '../deletion-request.request.dto';
import { FulfilDeletionCommand } from './fulfil-deletion.command';
import { FulfilDeletionRequest } from './fulfil-deletion.request.dto';

@ApiTags('privacy')
@Controller('privacy/deletion-requests')
export class FulfilDeletionHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/fulfilment')
  @Allow('compliance-officer', 'admin')
  @ApiOperation({
    summary:
      'Close an assessed deletion request: replacement dataset versions, retrained models and the exceptions kept',
  })
  @ApiWrite({ problems: [404] })
  fulfil(
    @Param() path: DeletionRequestPath,
    @Body() body: FulfilDeletionRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, replacementDatasetVersions, retrainedModels, exceptions } = body;
    return this.commands.execute(
      new FulfilDeletionCommand(
        {
          requestId: path.id,
          replacementDatasetVersions: replacementDatasetVersions.map(({ name, version }) => ({
            name,
            version,
          })),
          retrainedModels: retrainedModels.map(({ name, version }) => ({ name, version })),
          exceptions: exceptions.map(({ item, reason }) => ({ item, reason })),
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
