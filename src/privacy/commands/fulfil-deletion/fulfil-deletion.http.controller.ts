import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import type { VersionRefRequest } from '../../../ledger/commands/version-ref.request.dto';
import { DeletionRequestPath } from '../deletion-request.request.dto';
import { FulfilDeletionCommand } from './fulfil-deletion.command';
import { FulfilDeletionRequest } from './fulfil-deletion.request.dto';

/** `replaces` as stated: left out, the decider takes the affected versions of the same name. */
const refs = (replaces: VersionRefRequest[] | undefined) =>
  replaces ? { replaces: replaces.map(({ name, version }) => ({ name, version })) } : {};

@ApiTags('privacy')
@Controller('privacy/deletion-requests')
export class FulfilDeletionHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/fulfilment')
  @Allow('compliance-officer', 'admin')
  @ApiOperation({
    summary:
      'Close an assessed deletion request: replacement dataset versions, retrained models and the exceptions kept',
    description:
      'Every item the assessment names must be accounted for: a dataset version by a replacement that replaces it, a model version by a version retrained on a replacement, a deployment by a retrained version of its model, any item by an exception covering it. Otherwise 422 deletion-items-unaccounted, `errors` naming each item by its place in the assessment (`affected.models.1`); a replacement, retraining or exception about nothing assessed, or a version retrained on no replacement, is 422 invalid-fulfilment; an unregistered retrained version 422 unknown-model-version. The fulfilment records how each item was accounted for (`accountedFor`).',
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
          replacementDatasetVersions: replacementDatasetVersions.map(
            ({ name, version, replaces }) => ({ name, version, ...refs(replaces) }),
          ),
          retrainedModels: retrainedModels.map(({ name, version, replaces }) => ({
            name,
            version,
            ...refs(replaces),
          })),
          exceptions: exceptions.map(({ covers, item, reason }) => ({
            item: item ?? covers.id,
            reason,
            covers: { kind: covers.kind, id: covers.id },
          })),
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
