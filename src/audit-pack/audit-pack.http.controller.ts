import { Controller, Get, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { NotRecorded } from '../ledger/commands/rule-errors';
import { AllowEveryRole, CurrentActor } from '../auth/access.decorators';
import { EvidenceBuilder } from '../integrity/evidence-builder';
import { EvidenceBundleView, IssuedEvidenceBundleView } from '../integrity/evidence-bundle.view';
import { PdfSigner } from '../integrity/pdf-signer';
import type { Actor } from '../ledger/event-log.port';
import { ApiRead } from '../ledger/http/api-read.decorator';
import { ModelVersionPath } from '../model-registry/model-path.request.dto';
import { AuditPackService } from './audit-pack.service';

class PackPath extends ModelVersionPath {
  @ApiProperty({
    format: 'uuid',
    description: 'The Attest-Pack-Id header of the audit pack PDF',
  })
  @IsUUID('all', { message: 'packId must be the Attest-Pack-Id of a pack (a UUID)' })
  packId!: string;
}

export class AuditPackRequest {
  @ApiPropertyOptional({
    enum: ['pdf', 'json'],
    default: 'pdf',
    description:
      'pdf: the audit pack; json: its evidence bundle alone (events, proofs, checkpoint)',
  })
  @IsOptional()
  @IsIn(['pdf', 'json'], { message: 'format must be pdf or json' })
  format?: 'pdf' | 'json';
}

@ApiTags('audit packs')
@ApiExtraModels(EvidenceBundleView)
@AllowEveryRole()
@Controller('models')
export class AuditPackHttpController {
  constructor(
    private readonly packs: AuditPackService,
    private readonly evidence: EvidenceBuilder,
    private readonly pdfSigner: PdfSigner,
  ) {}

  @Get(':name/versions/:version/audit-pack')
  @ApiOperation({
    summary: 'The audit pack of a model version (PDF), or its evidence bundle (format=json)',
    description:
      'The sections listed in the README (Audit packs): model card, lineage, data, training, evaluations and fairness, approvals, deployments and rollbacks, monitoring, deletion requests, and an appendix of every cited event. The evidence bundle is attached to the PDF as evidence.json. The PDF is signed inside the file (PAdES, SubFilter ETSI.CAdES.detached, checked by PDF readers and `pdfsig`) and its cover prints the commands that check it with Node alone (GET /api/v1/verifier/attest-verify.js); the signed file’s SHA-256 is also signed as a detached JWS (Attest-Signature). A version never registered is 404.',
  })
  @ApiProduces('application/pdf', 'application/json')
  @ApiRead(404)
  @ApiOkResponse({
    description: 'The PDF (or, with format=json, the evidence bundle)',
    content: {
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
      'application/json': { schema: { $ref: getSchemaPath(EvidenceBundleView) } },
    },
  })
  @ApiResponse({ status: 503, description: 'The integrity log has not caught up yet; retry' })
  async pack(
    @Param() { name, version }: ModelVersionPath,
    @Query() { format }: AuditPackRequest,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    return auditPackDownload(
      { packs: this.packs, evidence: this.evidence, pdfSigner: this.pdfSigner },
      { name, version, format, actor, request, reply },
    );
  }

  @Get(':name/versions/:version/audit-packs/:packId/evidence')
  @ApiOperation({
    summary: 'The evidence bundle of an audit pack handed out earlier, with that PDF’s signature',
    description:
      'The packId is the Attest-Pack-Id header of the PDF. The bundle is the one attached to that PDF, with pdf.sha256 and pdf.signature (the detached JWS) added: `node attest-verify.js evidence.json --pdf pack.pdf` checks both.',
  })
  @ApiRead(404)
  @ApiOkResponse({
    description: 'The evidence bundle (attest-evidence-bundle/1) with its pdf member',
    type: IssuedEvidenceBundleView,
  })
  async issued(
    @Param() { name, version, packId }: PackPath,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const bundle = await this.packs.issuedBundle(name, version, packId);
    if (bundle === undefined) throw new NotRecorded('audit pack', `${name}@${version} ${packId}`);
    void reply.header(
      'Content-Disposition',
      `attachment; filename="${name}-${version}-audit-pack-${packId}-evidence.json"`,
    );
    return new StreamableFile(Buffer.from(bundle), { type: 'application/json' });
  }
}

/**
 * The audit pack of a version (PDF) or its evidence bundle (format=json), with its headers: the
 * API's route and the console's download (README, "Console") answer through this one function.
 */
export async function auditPackDownload(
  services: { packs: AuditPackService; evidence: EvidenceBuilder; pdfSigner: PdfSigner },
  input: {
    name: string;
    version: string;
    format: 'pdf' | 'json' | undefined;
    actor: Actor;
    request: FastifyRequest;
    reply: FastifyReply;
  },
): Promise<StreamableFile> {
  const { name, version, format, actor, request, reply } = input;
  const { packs, evidence, pdfSigner } = services;
  if (format === 'json') {
    const { citation } = await packs.prepare(name, version);
    // Streamed below, past the point where a problem could be answered: proofs checked first.
    await evidence.verifyProofs(citation);
    const subject = {
      kind: 'model-version',
      id: `${name}@${version}`,
      title: `Audit pack: ${name} ${version}`,
    };
    // Written as it is made: a page of events at a time, waiting whenever the client is slow.
    const body = new PassThrough();
    evidence
      .writeBundle(subject, citation, async (text) => {
        if (!body.write(text)) await once(body, 'drain');
      })
      .then(
        () => body.end(),
        (error: unknown) => body.destroy(error as Error),
      );
    void reply.header(
      'Content-Disposition',
      `attachment; filename="${name}-${version}-evidence.json"`,
    );
    return new StreamableFile(body, { type: 'application/json' });
  }
  const signing = await pdfSigner.signing(request);
  const pack = await packs.generate(
    name,
    version,
    { actor, correlationId: String(request.id) },
    signing,
  );
  const stream = createReadStream(pack.path);
  stream.on('close', () => void rm(pack.directory, { recursive: true, force: true }));
  void reply
    .header('Content-Disposition', `attachment; filename="${name}-${version}-audit-pack.pdf"`)
    .header('Attest-Pack-Id', pack.packId)
    .header('Attest-Signature', pack.signature)
    .header('Attest-Content-SHA256', pack.sha256)
    .header(
      'Attest-Checkpoint',
      `${pack.citation.checkpoint.treeSize} ${pack.citation.checkpoint.rootHash}`,
    )
    .header('Attest-Cited-Events', String(pack.events));
  return new StreamableFile(stream, { type: 'application/pdf' });
}
