import { automaticApprovalLabel } from '../../approvals/automatic-approval';
import type PDFDocument from 'pdfkit';
import type { Writable } from 'node:stream';
import {
  type DocumentSigning,
  appendEvidence,
  openDocument,
  verifierInstructions,
} from '../../audit-pack/evidence-appendix';
import {
  INK,
  MUTED,
  contentWidth,
  facts,
  heading,
  paragraph,
  table,
} from '../../audit-pack/pdf-layout';
import { isoDay as day, isoInstant } from '../../audit-pack/pdf-dates';
import type { Citation, EvidenceBuilder } from '../../integrity/evidence-builder';
import type { AsicReport, ComplianceReport, MappedAnswer, OaicReport } from './compliance-reports';

type Doc = InstanceType<typeof PDFDocument>;

const STATUS: Record<MappedAnswer['status'], string> = {
  covered: 'COVERED',
  partly: 'PARTLY',
  missing: 'MISSING',
};

/** A compliance report as a PDF, with the events it states attached as evidence. */
export async function writeReportPdf(
  out: Writable,
  report: ComplianceReport,
  citation: Citation,
  evidence: EvidenceBuilder,
  signing: DocumentSigning,
): Promise<{ pages: number; events: number }> {
  const generatedAt = new Date(report.generatedAt);
  const scope = report.model ? `model ${report.model}` : 'portfolio';
  const period = `${day(report.period.from)} to ${day(report.period.to)}`;
  const document = openDocument(out, {
    title: `${report.title}: ${scope}, ${period}`,
    subject: report.basis,
    footer: `Attest · ${report.title} · ${scope} · ${period}`,
    citation,
    generatedAt,
    signing,
  });
  const { doc } = document;
  cover(doc, report, scope, period, signing.serviceUrl);
  doc.addPage();
  let section = 1;
  const next = (title: string) => heading(doc, `${section++}. ${title}`);
  next(report.sections[0] ?? 'Scope, period and ledger checkpoint');
  facts(doc, [
    ['Scope', scope],
    ['Period', `${period} (UTC days, inclusive)`],
    [
      'Ledger checkpoint',
      `${report.checkpoint.treeSize} events, root ${report.checkpoint.rootHash}`,
    ],
    ['Signed', `${isoInstant(report.checkpoint.timestamp)} by key ${report.checkpoint.keyId}`],
    [
      'Cited events',
      `${report.citedEvents} (appendix); high-volume events are counted, not listed`,
    ],
  ]);
  if (report.report === 'asic-model-governance') asic(doc, report, next);
  else oaic(doc, report, next);
  next(report.sections[report.sections.length - 1] ?? 'Guardrail and practice mapping');
  paragraph(
    doc,
    'Each guardrail of the Voluntary AI Safety Standard, with the practice of the Guidance for AI Adoption that carries it on, rated by the events recorded in the period: covered when every evidencing event type occurs, partly when some do, missing when none do or Attest records no such evidence.',
    { muted: true },
  );
  mappingTable(doc, report.guardrails, true);
  const { events } = await appendEvidence(doc, citation, evidence, {
    subject: {
      kind: report.report,
      id: `${report.model ?? 'portfolio'}:${report.period.from}..${report.period.to}`,
      title: `${report.title}: ${scope}`,
    },
    generatedAt,
    signing,
  });
  return { pages: await document.finish(), events };
}

function cover(
  doc: Doc,
  report: ComplianceReport,
  scope: string,
  period: string,
  serviceUrl: string,
): void {
  doc.moveDown(4);
  doc.font('Helvetica').fontSize(11).fillColor(MUTED).text(report.basis.toUpperCase());
  doc.moveDown(0.4);
  doc.font('Helvetica-Bold').fontSize(24).fillColor(INK).text(report.title);
  doc.font('Helvetica').fontSize(14).fillColor(INK).text(`${scope}, ${period}`);
  doc.moveDown(1.5);
  paragraph(doc, 'Contents', { size: 10 });
  report.sections.forEach((title, i) => paragraph(doc, `${i + 1}. ${title}`));
  paragraph(doc, 'Appendix: every cited event');
  doc.moveDown(1);
  paragraph(
    doc,
    `Generated ${isoInstant(report.generatedAt)} from the Attest ledger, with no manual input. Every fact links to the events behind it; the attached evidence.json holds them with their inclusion proofs under the signed checkpoint of ${report.checkpoint.treeSize} events.`,
    { muted: true },
  );
  verifierInstructions(doc, serviceUrl);
}

function mappingTable(doc: Doc, items: MappedAnswer[], guardrails: boolean): void {
  table(
    doc,
    [
      { header: guardrails ? 'Guardrail · practice' : 'Question', width: 210 },
      { header: 'Evidencing event types (count in period)', width: contentWidth(doc) - 280 },
      { header: 'Status', width: 70 },
    ],
    items.map((item) => [
      `${item.id}. ${item.text}${item.practice ? `\nPractice ${item.practice}` : ''}`,
      item.evidence.length > 0
        ? item.evidence.map((e) => `${e.eventType} (${e.count})`).join(', ')
        : 'none recorded by Attest',
      STATUS[item.status],
    ]),
  );
}

/** The inventory entry's serving state and dates, as its JSON states them. */
function servingCell(v: AsicReport['inventory'][number]): string {
  if (v.firstDeployedAt === null) return '—';
  const now =
    v.serving.length > 0
      ? v.serving.map(
          (s) => `${s.environment} ${s.percent}%${s.role === 'canary' ? ' canary' : ''}`,
        )
      : ['none now'];
  const until = v.lastServedUntil === null ? [] : [`served until ${day(v.lastServedUntil)}`];
  return [...now, `first deployed ${day(v.firstDeployedAt)}`, ...until].join('\n');
}

function asic(doc: Doc, report: AsicReport, next: (title: string) => void): void {
  next('Model inventory');
  table(
    doc,
    [
      { header: 'Model version', width: 100 },
      { header: 'Stage', width: 70 },
      { header: 'Risk', width: 40 },
      { header: 'Decision class', width: 85 },
      { header: 'Owner', width: 80 },
      { header: 'Vendor', width: 60 },
      { header: 'Serving now (share); dates', width: contentWidth(doc) - 435 },
    ],
    report.inventory.map((v) => [
      `${v.model} ${v.version}`,
      v.stage,
      v.riskTier,
      v.decisionClass,
      v.owner,
      v.vendor ?? 'in-house',
      servingCell(v),
    ]),
  );
  next('Accountability');
  table(
    doc,
    [
      { header: 'Model version', width: 110 },
      { header: 'Owner', width: 90 },
      { header: 'Approvals (environment: approvers)', width: contentWidth(doc) - 200 },
    ],
    report.accountability.map((a) => [
      `${a.model} ${a.version}`,
      a.owner,
      a.approvals.length === 0
        ? 'none requested'
        : a.approvals
            .map(
              (p) =>
                `${p.environment} (${p.status}): ${p.automatic ? automaticApprovalLabel(p.evaluationId) : p.approvers.map((x) => `stage ${x.stage} ${x.role}: ${x.sub}, ${day(x.at)}`).join('; ') || 'no stage granted'}`,
            )
            .join('\n'),
    ]),
  );
  next('REP 798 questions answered with evidence');
  mappingTable(doc, report.obligations, false);
  next('Fairness and disclosure');
  table(
    doc,
    [
      { header: 'Model version', width: 100 },
      { header: 'Evaluations', width: 55, align: 'right' },
      { header: 'Fairness checks (failed)', width: 75 },
      { header: 'Explainability · disclosure · human oversight', width: contentWidth(doc) - 230 },
    ],
    report.fairness.map((f) => [
      `${f.model} ${f.version}`,
      String(f.evaluations),
      `${f.fairnessChecks} (${f.fairnessFailed})`,
      `${f.explainability ?? 'not recorded'} · ${f.consumerDisclosure ?? 'not recorded'} · ${f.humanOversight ?? 'not recorded'}`,
    ]),
  );
  next('Third-party models');
  if (report.thirdParty.length === 0)
    paragraph(doc, 'No vendor model is recorded.', { muted: true });
  else
    table(
      doc,
      [
        { header: 'Model version', width: 200 },
        { header: 'Vendor', width: contentWidth(doc) - 200 },
      ],
      report.thirdParty.map((t) => [`${t.model} ${t.version}`, t.vendor]),
    );
  next('Monitoring breaches, incidents and deadlines');
  paragraph(
    doc,
    `${report.monitoring.breachedSignals} drift or performance signal(s) breached their threshold in the period; ${report.monitoring.alerts.length} alert(s) raised; ${report.monitoring.rollbacks.length} rollback(s).`,
  );
  if (report.monitoring.alerts.length > 0) {
    table(
      doc,
      [
        { header: 'Raised', width: 65 },
        { header: 'Deployment', width: 110 },
        { header: 'Severity · kind', width: 90 },
        { header: 'Summary', width: contentWidth(doc) - 325 },
        { header: 'Status', width: 60 },
      ],
      report.monitoring.alerts.map((a) => [
        day(a.raisedAt),
        a.deploymentId,
        `${a.severity} · ${a.kind}`,
        a.summary,
        a.status,
      ]),
    );
  }
  if (report.monitoring.rollbacks.length > 0) {
    table(
      doc,
      [
        { header: 'When', width: 65 },
        { header: 'Deployment', width: 120 },
        { header: 'From · to', width: 90 },
        { header: 'Reason', width: contentWidth(doc) - 275 },
      ],
      report.monitoring.rollbacks.map((r) => [
        day(r.at),
        r.deploymentId,
        `${r.fromVersion ?? '—'} to ${r.toVersion ?? '—'}`,
        `${r.reason ?? ''}${r.automatic ? ' (automatic)' : ''}`,
      ]),
    );
  }
  next('Open findings');
  if (report.openFindings.length === 0) paragraph(doc, 'No open finding.', { muted: true });
  else
    table(
      doc,
      [
        { header: 'Model version', width: 140 },
        { header: 'Environment', width: 75 },
        { header: 'Finding', width: contentWidth(doc) - 215 },
      ],
      report.openFindings.map((f) => [
        `${f.model}${f.version ? ` ${f.version}` : ''}`,
        f.environment ?? '—',
        f.finding,
      ]),
    );
}

function oaic(doc: Doc, report: OaicReport, next: (title: string) => void): void {
  next('Personal-information inventory per dataset');
  if (report.personalInformation.length === 0)
    paragraph(doc, 'No dataset holding personal information is recorded.', { muted: true });
  else
    table(
      doc,
      [
        { header: 'Dataset version', width: 110 },
        { header: 'Kinds (sensitive)', width: 80 },
        { header: 'Lawful basis · notice · purpose', width: 120 },
        { header: 'Retention · region', width: 70 },
        { header: 'Models trained on it', width: contentWidth(doc) - 380 },
      ],
      report.personalInformation.map((d) => [
        `${d.dataset}@${d.version}`,
        `${d.kinds.join(', ')}${d.sensitive ? ' (sensitive)' : ''}`,
        `${d.lawfulBasis ?? '—'} · ${d.collectionNotice ?? '—'} · ${d.purpose ?? '—'}`,
        `${d.retention ?? '—'} · ${d.region}`,
        d.modelVersions.join(', ') || '—',
      ]),
    );
  next(
    'Automated decisions: kinds of personal information and ADM class per model (APP 1.7 register)',
  );
  paragraph(
    doc,
    `APP 1.7-1.9 ${report.adm.inForce ? 'were in force' : 'were not yet in force'} on ${day(report.period.to)} (in force from ${day(report.adm.inForceFrom)}).`,
  );
  if (report.adm.entries.length === 0)
    paragraph(doc, 'No model version that decides or substantially assists served in the period.', {
      muted: true,
    });
  else
    table(
      doc,
      [
        { header: 'Model version', width: 100 },
        { header: 'ADM class', width: 85 },
        { header: 'Kinds of personal information', width: 100 },
        { header: 'Environments', width: 70 },
        { header: 'Gaps', width: contentWidth(doc) - 355 },
      ],
      report.adm.entries.map((e) => [
        `${e.model} ${e.version}`,
        e.decisionClass,
        e.personalInformationKinds.join(', ') || 'NONE RECORDED',
        e.environments.join(', '),
        e.gaps.join(', ') || 'none',
      ]),
    );
  next('Access and correction requests and timeliness');
  paragraph(doc, report.accessAndCorrection.note);
  next('Deletion requests: propagation and status against due date');
  if (report.deletionRequests.length === 0)
    paragraph(doc, 'No deletion request in the period.', { muted: true });
  else
    table(
      doc,
      [
        { header: 'Request', width: 150 },
        { header: 'Received · due', width: 90 },
        { header: 'Status', width: 80 },
        { header: 'Affected (datasets, models, deployments)', width: contentWidth(doc) - 320 },
      ],
      report.deletionRequests.map((r) => [
        r.id,
        `${day(r.receivedOn)} · ${day(r.dueOn)}`,
        r.overdue
          ? `OVERDUE (${-(r.daysLeft ?? 0)} days)`
          : r.status === 'fulfilled'
            ? `fulfilled ${day(r.fulfilledAt)}`
            : `${r.status}, ${r.daysLeft} days left`,
        r.affected
          ? `${r.affected.datasetVersions}, ${r.affected.models}, ${r.affected.deployments}`
          : 'not yet assessed',
      ]),
    );
  deletionAccounting(doc, report.deletionRequests);
  next('Breaches');
  paragraph(doc, report.breaches.note);
  next('Exceptions');
  const exceptions = report.deletionRequests.flatMap((r) =>
    r.exceptions.map((e) => [r.id, e.item, e.reason]),
  );
  if (exceptions.length === 0)
    paragraph(doc, 'No item was kept back from a deletion.', { muted: true });
  else
    table(
      doc,
      [
        { header: 'Request', width: 150 },
        { header: 'Item kept', width: 150 },
        { header: 'Reason', width: contentWidth(doc) - 300 },
      ],
      exceptions,
    );
}

const ACCOUNTED_BY = { replacement: 'replaced by', retraining: 'retrained as', exception: 'kept:' };

/**
 * Each fulfilled request's affected items and how each was accounted for, with a warning for a
 * request fulfilled (before the rule) with items left unaccounted for.
 */
function deletionAccounting(doc: Doc, requests: OaicReport['deletionRequests']): void {
  for (const r of requests.filter((request) => request.warning)) {
    paragraph(doc, `WARNING: deletion request ${r.id} was ${r.warning}.`);
  }
  const rows = requests.flatMap((r) => [
    ...r.accounting.map((way) => [
      r.id,
      `${way.kind} ${way.id}`,
      `${ACCOUNTED_BY[way.by]} ${way.detail}${way.inferred ? ' (read from a fulfilment recorded before accounting was required)' : ''}`,
    ]),
    ...r.unaccounted.map((item) => [r.id, `${item.kind} ${item.id}`, 'NOT ACCOUNTED FOR']),
  ]);
  if (rows.length === 0) return;
  table(
    doc,
    [
      { header: 'Fulfilled request', width: 150 },
      { header: 'Affected item', width: 150 },
      { header: 'Accounted for by', width: contentWidth(doc) - 300 },
    ],
    rows,
  );
}
