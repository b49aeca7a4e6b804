import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { SIGNING_KEY } from '../../integrity/checkpoint-signer';
import { EvidenceBuilder } from '../../integrity/evidence-builder';
import { signPdfDigest } from '../../integrity/evidence-bundle';
import { PdfSigner } from '../../integrity/pdf-signer';
import type { SigningKey } from '../../integrity/signing-key';
import { CLOCK, type Clock } from '../../ledger/clock';
import { InvalidRequest } from '../../ledger/ledger.errors';
import { reportingPeriod } from '../queries/adm-register/reporting-period';
import type { ReportRequest } from './compliance-report.request.dto';
import { type ComplianceReport, ComplianceReports, type ReportName } from './compliance-reports';
import { writeReportPdf } from './report.pdf';

/** A report as JSON (the object the API serialises) or as its signed PDF with its headers. */
export type ReportDownload =
  | { format: 'json'; report: ComplianceReport }
  | { format: 'pdf'; report: ComplianceReport; pdf: Buffer; headers: Record<string, string> };

/**
 * A compliance report in the form asked for (README, "Compliance reports"): what GET
 * /compliance/reports/{report} answers, and what the console's report pages show and hand out,
 * so both give the same bytes under the same headers.
 */
@Injectable()
export class ReportDownloads {
  constructor(
    private readonly reports: ComplianceReports,
    private readonly evidence: EvidenceBuilder,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly pdfSigner: PdfSigner,
  ) {}

  async make(
    report: ReportName,
    request: ReportRequest,
    httpRequest: FastifyRequest,
  ): Promise<ReportDownload> {
    const resolved = reportingPeriod(request, this.clock());
    if ('errors' in resolved) throw new InvalidRequest('invalid reporting period', resolved.errors);
    const built = await this.reports.build(report, resolved.period, request.model ?? null);
    if (request.format !== 'pdf') return { format: 'json', report: built.report };
    // Rendered in memory: reports cite governance events only, never the high-volume ones.
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const signing = await this.pdfSigner.signing(httpRequest);
    await writeReportPdf(out, built.report, built.citation, this.evidence, signing);
    const pdf = Buffer.concat(chunks);
    const sha256 = await this.pdfSigner.signBuffer(pdf);
    return {
      format: 'pdf',
      report: built.report,
      pdf,
      headers: {
        'Content-Disposition': `attachment; filename="${report}-${resolved.period.from}-${resolved.period.to}.pdf"`,
        'Attest-Signature': await signPdfDigest(sha256, {
          privateKey: this.key.privateKey,
          kid: this.key.publicJwk.kid,
        }),
        'Attest-Content-SHA256': sha256,
        'Attest-Checkpoint': `${built.citation.checkpoint.treeSize} ${built.citation.checkpoint.rootHash}`,
      },
    };
  }
}
