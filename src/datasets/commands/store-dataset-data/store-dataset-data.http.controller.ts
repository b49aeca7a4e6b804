import type { Readable } from 'node:stream';
import { Controller, HttpCode, Param, Put, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { InvalidRequest } from '../../../ledger/ledger.errors';
import { DatasetVersionPath } from '../register-dataset-version/register-dataset-version.request.dto';
import { StoreDatasetDataCommand } from './store-dataset-data.command';

@ApiTags('datasets')
@Controller('datasets')
export class StoreDatasetDataHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Put(':name/versions/:version/data')
  @HttpCode(200)
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      "Store the version's data as CSV with a header row (the raw body, streamed; at most ARTIFACT_MAX_BYTES, else 413): its SHA-256 must be the registered contentHash, the header must name exactly the schema's fields (any order), every row must have as many fields and values fitting their declared types (number, integer, boolean), and the data rows must number the registered rows (else 422 naming the line and column, never a value; nothing kept); records DatasetDataStored with the digest, size, row count and columns. The same bytes again append nothing. Answers id <name>@<version>",
  })
  @ApiConsumes('text/csv', 'application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiWrite({ status: 200, problems: [404, 413] })
  store(
    @Param() path: DatasetVersionPath,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const content = request.body as Readable | undefined;
    if (!content || typeof (content as Readable).pipe !== 'function') {
      throw new InvalidRequest('send the CSV file as the body, Content-Type text/csv', {
        body: ['must be the CSV file, Content-Type text/csv'],
      });
    }
    return this.commands.execute(
      new StoreDatasetDataCommand({ name: path.name, version: path.version, content }, context),
    );
  }
}
