import { Controller, Get, Header, Param, Req, Res, StreamableFile } from '@nestjs/common';
import { OmitType } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ReportPath, ReportRequest } from '../../compliance/reports/compliance-report.request.dto';
import {
  type ComplianceReport,
  REPORT_NAMES,
  type ReportName,
} from '../../compliance/reports/compliance-reports';
import { ReportDownloads } from '../../compliance/reports/report-downloads';
import { loadReportMappings } from '../../compliance/reports/report-mappings';
import { ConsoleController } from '../console-access';
import { Console, type ConsoleContext } from '../console-context';
import { validated } from '../console-write';
import { html } from '../html';
import { asOfField, notice, page } from '../layout';
import { periodFields, queryAs } from './compliance-html';
import { reportSections } from './report.html';

const MAPPINGS = loadReportMappings();

/** The reports the console shows, with their titles as the reports state them. */
export const REPORT_PAGES: readonly { name: ReportName; title: string }[] = REPORT_NAMES.map(
  (name) => ({
    name,
    title: name === 'asic-model-governance' ? MAPPINGS.asic.title : MAPPINGS.oaic.title,
  }),
);

/** The report page's query: the API's, less the form (the page is HTML; downloads choose). */
class ReportPageRequest extends OmitType(ReportRequest, ['format'] as const) {}

async function reportName(report: string): Promise<ReportName> {
  return (await validated(ReportPath, { report }, 'param')).report;
}

/** The download links of a report: the same period and scope as the page shows. */
function downloadHref(report: ComplianceReport, format: 'pdf' | 'json'): string {
  const params = new URLSearchParams({
    format,
    from: report.period.from,
    to: report.period.to,
    ...(report.model ? { model: report.model } : {}),
  });
  return `/console/compliance/reports/${report.report}/download?${params.toString()}`;
}

/**
 * The ASIC and OAIC reports on screen and for download (README, "Console"): built by the same
 * service as GET /api/v1/compliance/reports/{report}, so a download is what the API hands out.
 * Reports cannot be built as of an instant (their ratings, checkpoint and statuses are read as
 * the ledger stands), so they are always shown as of now, and the page says so.
 */
@ConsoleController()
@Controller('console/compliance/reports')
export class ReportsConsoleController {
  constructor(private readonly downloads: ReportDownloads) {}

  @Get(':report')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async report(
    @Console() ctx: ConsoleContext,
    @Param('report') name: string,
    @Req() request: FastifyRequest,
  ): Promise<string> {
    const report = await reportName(name);
    const asked = await queryAs(ctx, ReportPageRequest);
    const made = await this.downloads.make(report, { ...asked, format: 'json' }, request);
    const shown = made.report;
    const now = html`Reports are built from the ledger as it stands now: time travel does not apply
    to them, and their period, ratings and statuses are read as of now.`;
    return page(ctx, {
      title: shown.title,
      section: 'compliance',
      body: html`<p><a href="${ctx.href('/console/compliance')}">Compliance</a></p>
        <p class="muted">${shown.basis}</p>
        ${ctx.asOf ? notice('warning', now) : html`<p>${now}</p>`}
        <form class="filters" method="get" action="${ctx.path}" aria-label="Reporting period">
          ${asOfField(ctx)} ${periodFields(shown.period)}
          <div>
            <label for="model">Model (empty: the portfolio)</label>
            <input id="model" name="model" type="text" value="${shown.model ?? ''}" />
          </div>
          <button type="submit">Show the report</button>
        </form>
        <div class="compliance-downloads">
          <a class="button" href="${downloadHref(shown, 'pdf')}">Download the signed PDF</a>
          <a
            class="button secondary"
            href="${downloadHref(shown, 'json')}"
            download="${shown.report}-${shown.period.from}-${shown.period.to}.json"
            >Download the JSON</a
          >
        </div>
        ${reportSections(shown)}`,
    }).text;
  }

  /** The report as the API gives it: JSON, or the signed PDF with the API's headers. */
  @Get(':report/download')
  async download(
    @Console() ctx: ConsoleContext,
    @Param('report') name: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object | StreamableFile> {
    const report = await reportName(name);
    const asked = await queryAs(ctx, ReportRequest);
    const made = await this.downloads.make(report, asked, request);
    if (made.format === 'json') return made.report;
    for (const [header, value] of Object.entries(made.headers)) void reply.header(header, value);
    return new StreamableFile(made.pdf, { type: 'application/pdf' });
  }
}
