import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { DeletionRequestPath } from '../deletion-request.request.dto';
import { AssessDeletionCommand } from './assess-deletion.command';
import { AssessDeletionRequest } from './assess-deletion.request.dto';

@ApiTags('privacy')
@Controller('privacy/deletion-requests')
export class AssessDeletionHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/assessment')
  @Allow('compliance-officer', 'admin')
  @ApiOperation({
    summary:
      'Record which dataset versions, models and deployments hold the subject’s data (may be revised until fulfilled)',
  })
  @ApiWrite({ problems: [404] })
  assess(
    @Param() path: DeletionRequestPath,
    @Body() body: AssessDeletionRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, affected, notes } = body;
    return this.commands.execute(
      new AssessDeletionCommand(
        {
          requestId: path.id,
          affected: {
            datasetVersions: affected.datasetVersions.map(({ name, version }) => ({
              name,
              version,
            })),
            models: affected.models.map(({ name, version }) => ({ name, version })),
            deployments: [...affected.deployments],
          },
          notes: notes ?? null,
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
