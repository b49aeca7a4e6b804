import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { RegisterDatasetVersionCommand } from './register-dataset-version.command';
import { DatasetPath, RegisterDatasetVersionRequest } from './register-dataset-version.request.dto';

@ApiTags('datasets')
@Controller('datasets')
export class RegisterDatasetVersionHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':name/versions')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary: 'Register an immutable dataset version (the same version and facts again is a no-op)',
    description:
      'A version already registered with another hash, or with the same hash but other facts (region, schema flags, retention, …), is 409 dataset-version-immutable: `errors` names each differing field with the registered and the given value, `differences` lists them as data; nothing is appended.',
  })
  @ApiWrite({ problems: [404] })
  register(
    @Param() path: DatasetPath,
    @Body() body: RegisterDatasetVersionRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, ...request } = body;
    return this.commands.execute(
      new RegisterDatasetVersionCommand(
        {
          name: path.name,
          version: request.version,
          contentHash: request.contentHash,
          rows: request.rows,
          schema: request.schema.map((field) => ({
            name: field.name,
            type: field.type,
            personal: field.personal,
            sensitive: field.sensitive,
            category: field.category ?? null,
            protectedAttribute: field.protectedAttribute ?? false,
          })),
          location: request.location,
          region: request.region,
          lawfulBasis: request.lawfulBasis ?? null,
          collectionNotice: request.collectionNotice ?? null,
          purpose: request.purpose ?? null,
          retention: request.retention ?? null,
          piaId: request.piaId ?? null,
          parents: (request.parents ?? []).map(({ name, version }) => ({ name, version })),
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
