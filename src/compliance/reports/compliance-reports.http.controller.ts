import { Controller, Get, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AllowEveryRole } from '../../auth/access.decorators';
import { ApiRead } from '../../ledger/http/api-read.decorator';
import { ReportPath, ReportRequest } from './compliance-report.request.dto';
import { AsicReportView, OaicReportView } from './compliance-report.view';
import { REPORT_NAMES } from './compliance-reports';
import { ReportDownloads } from './report-downloads';

@ApiTags('compliance')
@AllowEveryRole()
@Controller('compliance/reports')
export class ComplianceReportsHttpController {
  constructor(private readonly downloads: ReportDownloads) {}

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
    const made = await this.downloads.make(report, request, httpRequest);
    if (made.format === 'json') return made.report;
    for (const [name, value] of Object.entries(made.headers)) void reply.header(name, value);
    return new StreamableFile(made.pdf, { type: 'application/pdf' });
  }
}
