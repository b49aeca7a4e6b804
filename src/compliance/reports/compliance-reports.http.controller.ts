import { Controller, Get, Inject, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PassThrough } from 'node:stream';
import { AllowEveryRole } from '../../auth/access.decorators';
import { SIGNING_KEY } from '../../integrity/checkpoint-signer';
import { EvidenceBuilder } from '../../integrity/evidence-builder';
import { signPdfDigest } from '../../integrity/evidence-bundle';
import { PdfSigner } from '../../integrity/pdf-signer';
import type { SigningKey } from '../../integrity/signing-key';
import { CLOCK, type Clock } from '../../ledger/clock';
import { RESOURCE_NAME, RESOURCE_NAME_HINT } from '../../ledger/commands/identifiers';
import { ApiRead } from '../../ledger/http/api-read.decorator';
import { InvalidRequest } from '../../ledger/ledger.errors';
import { AdmRegisterRequest } from '../queries/adm-register/adm-register.request.dto';
import { reportingPeriod } from '../queries/adm-register/reporting-period';
import { AsicReportView, OaicReportView } from './compliance-report.view';
import { ComplianceReports, REPORT_NAMES, type ReportName } from './compliance-reports';
import { writeReportPdf } from './report.pdf';

class ReportPath {
  @IsIn(REPORT_NAMES, { message: `report must be one of ${REPORT_NAMES.join(', ')}` })
  report!: ReportName;
}

class ReportRequest extends AdmRegisterRequest {
  @ApiPropertyOptional({ enum: ['json', 'pdf'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'pdf'], { message: 'format must be json or pdf' })
  format?: 'json' | 'pdf';

  @ApiPropertyOptional({ example: 'credit-risk', description: 'One model; omitted: the portfolio' })
  @IsOptional()
  @Matches(RESOURCE_NAME, { message: `model must be ${RESOURCE_NAME_HINT}` })
  model?: string;
}

@ApiTags('compliance')
@AllowEveryRole()
@Controller('compliance/reports')
export class ComplianceReportsHttpController {
  constructor(
    private readonly reports: ComplianceReports,
    private readonly evidence: EvidenceBuilder,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly pdfSigner: PdfSigner,
  ) {}

  @Get(':report')
  @ApiOperation({
    summary: 'ASIC model-governance or OAIC privacy report for a period, portfolio or one model',
    description:
      'Sections listed in reports/README.md, each obligation and guardrail rated covered / partly / missing by the events recorded in the period (mappings under reports/). format=pdf adds an appendix of every cited event with the evidence bundle attached; the PDF is signed inside the file (PAdES, checked by PDF readers and `pdfsig`; its cover prints the commands that check it with Node alone) and its SHA-256 as a detached JWS (Attest-Signature).',
  })
  @ApiParam({ name: 'report', enum: REPORT_NAMES })
  @ApiProduces('application/json', 'application/pdf')
  @ApiRead()
  @ApiExtraModels(AsicReportView, OaicReportView)
  @ApiOkResponse({
    description:
      'The report as JSON (AsicReportView or OaicReportView, by `report`), or as a PDF with format=pdf',
    content: {
      'application/json': {
        schema: {
          oneOf: [{ $ref: getSchemaPath(AsicReportView) }, { $ref: getSchemaPath(OaicReportView) }],
          discriminator: {
            propertyName: 'report',
            mapping: {
              'asic-model-governance': getSchemaPath(AsicReportView),
              'oaic-privacy': getSchemaPath(OaicReportView),
            },
          },
        },
      },
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiResponse({ status: 503, description: 'The integrity log has not caught up yet; retry' })
  async report(
    @Param() { report }: ReportPath,
    @Query() request: ReportRequest,
    @Req() httpRequest: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object | StreamableFile> {
    const resolved = reportingPeriod(request, this.clock());
    if ('errors' in resolved) throw new InvalidRequest('invalid reporting period', resolved.errors);
    const built = await this.reports.build(report, resolved.period, request.model ?? null);
    if (request.format !== 'pdf') return built.report;
    // Rendered in memory: reports cite governance events only, never the high-volume ones.
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const signing = await this.pdfSigner.signing(httpRequest);
    await writeReportPdf(out, built.report, built.citation, this.evidence, signing);
    const pdf = Buffer.concat(chunks);
    const sha256 = await this.pdfSigner.signBuffer(pdf);
    void reply
      .header(
        'Content-Disposition',
        `attachment; filename="${report}-${resolved.period.from}-${resolved.period.to}.pdf"`,
      )
      .header(
        'Attest-Signature',
        await signPdfDigest(sha256, {
          privateKey: this.key.privateKey,
          kid: this.key.publicJwk.kid,
        }),
      )
      .header('Attest-Content-SHA256', sha256)
      .header(
        'Attest-Checkpoint',
        `${built.citation.checkpoint.treeSize} ${built.citation.checkpoint.rootHash}`,
      );
    return new StreamableFile(pdf, { type: 'application/pdf' });
  }
}
