import type { Readable } from 'node:stream';
import { Controller, Get, HttpCode, Param, Put, Req, Res, StreamableFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ArtifactStorage } from '../../../artifacts/artifact-storage';
import { Allow, AllowEveryRole } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { InvalidRequest } from '../../../ledger/ledger.errors';
import { streams } from '../../../ledger/stream-names';
import { ModelVersionPath } from '../../model-path.request.dto';
import { modelDecider } from '../../model.decider';
import { StoreModelArtifactCommand } from './store-model-artifact.command';

@ApiTags('models')
@Controller('models')
export class StoreModelArtifactHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly writer: StreamWriter,
    private readonly storage: ArtifactStorage,
  ) {}

  @Put(':name/versions/:version/artifact')
  @HttpCode(200)
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      "Store the version's ONNX file (the raw body, streamed; at most ARTIFACT_MAX_BYTES, else 413): its SHA-256 must be the registered artifactDigest, onnxruntime must load it, and a float tensor output must exist (else 422, nothing kept); records ModelArtifactStored with its metadata. The same bytes again append nothing. Answers id <name>@<version>",
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiWrite({ status: 200, problems: [404, 413] })
  store(
    @Param() path: ModelVersionPath,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const content = request.body as Readable | undefined;
    if (!content || typeof (content as Readable).pipe !== 'function') {
      throw new InvalidRequest(
        'send the ONNX file as the body, Content-Type application/octet-stream',
        {
          body: ['must be the ONNX file, Content-Type application/octet-stream'],
        },
      );
    }
    return this.commands.execute(
      new StoreModelArtifactCommand({ model: path.name, version: path.version, content }, context),
    );
  }

  @Get(':name/versions/:version/artifact')
  @AllowEveryRole()
  @ApiOperation({
    summary:
      "The version's stored ONNX file, with its SHA-256 in Attest-Content-SHA256 (and as the ETag)",
  })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' } })
  @ApiProblems(400, 401, 403, 404, 503)
  async read(
    @Param() { name, version }: ModelVersionPath,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const state = await this.writer.state(modelDecider, streams.model(name));
    const artifact = state.versions.get(version)?.artifact;
    if (!artifact) throw new NotRecorded('model artifact', `${name}@${version}`);
    const hex = artifact.digest.slice('sha256:'.length);
    const file = await this.storage.store.stat(hex);
    if (!file) throw new NotRecorded('model artifact file', `${name}@${version}`);
    void reply.header('Attest-Content-SHA256', hex);
    void reply.header('ETag', `"${artifact.digest}"`);
    return new StreamableFile(await this.storage.store.open(hex), {
      type: 'application/octet-stream',
      length: file.size,
      disposition: `attachment; filename="${name}-${version}.onnx"`,
    });
  }
}
