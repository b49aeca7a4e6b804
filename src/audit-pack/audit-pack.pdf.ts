import { automaticApprovalLabel } from '../approvals/automatic-approval';
import type PDFDocument from 'pdfkit';
import type { Writable } from 'node:stream';
import type { Citation, EvidenceBuilder } from '../integrity/evidence-builder';
import type { AuditPackContent } from './audit-pack.content';
import {
  type DocumentSigning,
  appendEvidence,
  openDocument,
  verifierInstructions,
} from './evidence-appendix';
import { isoDay as day, isoInstant as when } from './pdf-dates';
import {
  INK,
  MUTED,
  calibrationChart,
  contentWidth,
  facts,
  flowDiagram,
  heading,
  lineChart,
  paragraph,
  stackedBars,
  table,
} from './pdf-layout';

type Doc = InstanceType<typeof PDFDocument>;

export interface PackMeta {
  generatedAt: Date;
  generatedBy: string;
  signing: DocumentSigning;
}

/** A digest shown by both ends (the full one is in section 3 and the appendix). */
const ends = (hash: string) => (hash.length > 25 ? `${hash.slice(0, 16)}…${hash.slice(-8)}` : hash);
/** How each deployment event reads in a table. */
const CHANGES: Record<string, string> = {
  ModelDeployed: 'deployed',
  DeploymentPromoted: 'canary promoted',
  DeploymentRolledBack: 'rolled back',
  DeploymentRetired: 'retired',
};
/** A table column that holds an ISO instant (`2026-12-02T09:30:00.000Z`) at 8 pt on one line. */
const INSTANT_WIDTH = 104;
const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : '—');

/**
 * Writes a model version's audit pack (README: Audit packs; reports/README.md) to `out` as it goes: sections from the
 * read models, then the appendix of cited events a page at a time, whose evidence bundle is
 * compressed as it is written and attached to the PDF as evidence.json.
 */
export async function writeAuditPack(
  out: Writable,
  content: AuditPackContent,
  citation: Citation,
  evidence: EvidenceBuilder,
  meta: PackMeta,
): Promise<{ pages: number; events: number; bundle: Buffer }> {
  const { version: mv } = content;
  const title = `${mv.model} ${mv.version}`;
  const document = openDocument(out, {
    title: `Audit pack: ${title}`,
    subject: 'Model governance audit pack with ledger evidence',
    footer: `Attest audit pack · ${title}`,
    citation,
    generatedAt: meta.generatedAt,
    signing: meta.signing,
  });
  const { doc } = document;
  cover(doc, content, citation, meta);
  doc.addPage();
  modelCard(doc, content);
  lineage(doc, content);
  trainingData(doc, content);
  training(doc, content);
  evaluations(doc, content);
  approvals(doc, content);
  deployments(doc, content);
  monitoring(doc, content);
  deletions(doc, content);
  const { events, bundle } = await appendEvidence(doc, citation, evidence, {
    subject: {
      kind: 'model-version',
      id: `${mv.model}@${mv.version}`,
      title: `Audit pack: ${title}`,
    },
    generatedAt: meta.generatedAt,
    signing: meta.signing,
  });
  return { pages: await document.finish(), events, bundle };
}

function cover(doc: Doc, content: AuditPackContent, citation: Citation, meta: PackMeta): void {
  const { version: mv } = content;
  doc.moveDown(4);
  doc.font('Helvetica').fontSize(11).fillColor(MUTED).text('MODEL GOVERNANCE AUDIT PACK');
  doc.moveDown(0.4);
  doc.font('Helvetica-Bold').fontSize(26).fillColor(INK).text(mv.model);
  doc.font('Helvetica').fontSize(16).fillColor(INK).text(`Version ${mv.version}`);
  doc.moveDown(1.5);
  facts(doc, [
    ['Status', mv.status],
    ['Risk tier', mv.card.riskTier],
    ['Decision class', mv.card.decisionClass],
    ['Accountable owner', mv.card.owner],
    ['Period', `${day(mv.registeredAt)} (registered) to ${day(meta.generatedAt)}`],
    ['Generated', `${when(meta.generatedAt)} for ${meta.generatedBy}`],
  ]);
  doc.moveDown(1);
  doc.font('Helvetica-Bold').fontSize(10).fillColor(INK).text('Ledger checkpoint');
  doc.moveDown(0.3);
  facts(doc, [
    ['Log', citation.checkpoint.logId],
    ['Tree size', `${citation.checkpoint.treeSize} events`],
    ['Root hash', citation.checkpoint.rootHash],
    ['Signed', `${when(citation.checkpoint.timestamp)} by key ${citation.checkpoint.keyId}`],
    ['Cited events', String(citation.leaves.length)],
  ]);
  doc.moveDown(1);
  paragraph(
    doc,
    'Every fact in this pack is taken from events recorded in the Attest ledger. The appendix lists each cited event; the attached evidence.json holds the events themselves, their inclusion proofs and the signed checkpoint.',
    { muted: true },
  );
  verifierInstructions(doc, meta.signing.serviceUrl);
}

function modelCard(doc: Doc, content: AuditPackContent): void {
  const { version: mv } = content;
  heading(doc, '1. Model card');
  facts(doc, [
    ['Model', `${mv.model} ${mv.version}`],
    ['Intended use', mv.card.intendedUse],
    ['Decisions', mv.card.decisions],
    ['Decision class', mv.card.decisionClass],
    ['Risk tier', mv.card.riskTier],
    ['Personal information used', list(mv.card.personalInformationKinds)],
    ['Limitations', list(mv.card.limitations)],
    ['Accountable owner', mv.card.owner],
    ['Vendor', mv.card.vendor ?? 'built in-house'],
    ['Explainability', mv.card.explainability ?? 'not recorded'],
    ['Human oversight', mv.card.humanOversight ?? 'not recorded'],
    ['Consumer disclosure', mv.card.consumerDisclosure ?? 'not recorded'],
    ['Monitoring cadence', mv.card.monitoringCadence ?? 'not recorded'],
    ['Artifact digest', mv.artifactDigest],
    ['Registered', `${when(mv.registeredAt)} by ${mv.registeredBy}`],
    [
      'Retirement',
      mv.retirement
        ? `${when(mv.retirement.retiredAt)} by ${mv.retirement.retiredBy}: ${mv.retirement.reason}`
        : 'not retired',
    ],
  ]);
}

function lineage(doc: Doc, content: AuditPackContent): void {
  const { version: mv } = content;
  heading(doc, '2. Lineage', 160);
  const deployments = [...new Set(content.deploymentChanges.map((c) => c.deploymentId))];
  flowDiagram(
    doc,
    [
      {
        title: 'Dataset versions',
        boxes: mv.datasetVersions.map((d) => ({
          id: `d:${d.name}@${d.version}`,
          lines: [d.name, `version ${d.version}`, ends(d.contentHash)],
        })),
      },
      {
        title: 'Training run',
        boxes: [
          {
            id: 'run',
            lines: [
              content.run.id,
              `${content.run.algorithm} · ${content.run.code.commit}`,
              `by ${content.run.startedBy}`,
            ],
          },
        ],
      },
      {
        title: 'Model version',
        boxes: [
          {
            id: 'mv',
            lines: [
              mv.model,
              `version ${mv.version}`,
              `${mv.card.riskTier} risk · ${mv.status}`,
              ends(mv.artifactDigest),
            ],
          },
        ],
      },
      {
        title: 'Deployments',
        boxes: deployments.map((id) => ({
          id: `dep:${id}`,
          lines: [id, `${content.volume.reduce((n, v) => n + v.predictions, 0)} predictions (all)`],
        })),
      },
    ],
    [
      ...mv.datasetVersions.map((d) => ({ from: `d:${d.name}@${d.version}`, to: 'run' })),
      { from: 'run', to: 'mv' },
      ...deployments.map((id) => ({ from: 'mv', to: `dep:${id}` })),
    ],
  );
}

function trainingData(doc: Doc, content: AuditPackContent): void {
  heading(doc, '3. Training and evaluation data');
  table(
    doc,
    [
      { header: 'Dataset version', width: 125 },
      { header: 'Content hash', width: 105, mono: true },
      { header: 'Rows', width: 42, align: 'right' },
      { header: 'Personal / sensitive', width: 58 },
      { header: 'Region', width: 52 },
      { header: 'Lawful basis · notice · retention', width: contentWidth(doc) - 382 },
    ],
    content.datasets.map((d) => [
      `${d.name}@${d.version}`,
      d.contentHash,
      String(d.rows),
      `${d.containsPersonalInformation ? 'personal' : 'none'}${d.containsSensitiveInformation ? ', sensitive' : ''}`,
      d.region,
      d.containsPersonalInformation
        ? `${d.lawfulBasis ?? '—'} · ${d.collectionNotice ?? '—'} · ${d.retention ?? '—'}`
        : 'no personal information',
    ]),
  );
}

function training(doc: Doc, content: AuditPackContent): void {
  const { run } = content;
  heading(doc, '4. Training');
  facts(doc, [
    ['Run', run.id],
    ['Code', `${run.code.repository} @ ${run.code.commit}`],
    ['Algorithm', run.algorithm],
    ['Hyperparameters', JSON.stringify(run.hyperparameters)],
    [
      'Metrics',
      run.metrics
        ? Object.entries(run.metrics)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
        : '—',
    ],
    ['Validation approach', run.validationApproach ?? '—'],
    ['Artifact', run.artifact ? `${run.artifact.uri} (${run.artifact.digest})` : '—'],
    ['Started / finished', `${when(run.startedAt)} by ${run.startedBy} / ${when(run.finishedAt)}`],
  ]);
}

function evaluations(doc: Doc, content: AuditPackContent): void {
  heading(doc, '5. Evaluations and fairness');
  const rows = content.version.evaluations;
  if (rows.length === 0)
    return paragraph(doc, 'No evaluation is recorded for this version.', { muted: true });
  table(
    doc,
    [
      { header: 'Evaluated', width: 80 },
      { header: 'Computed by', width: 60 },
      { header: 'Dataset', width: 95 },
      { header: 'Metrics', width: 125 },
      { header: 'Baseline', width: 85 },
      { header: 'Verdict', width: contentWidth(doc) - 445 },
    ],
    rows.map((e) => [
      `${day(e.evaluatedAt)} ${e.evaluatedBy}`,
      e.performedBy === 'attest' ? 'Attest' : 'pipeline',
      `${e.datasetVersion.name}@${e.datasetVersion.version}`,
      Object.entries(e.metrics)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      e.baseline
        ? `${e.baseline.version ?? '—'}: ${Object.entries(e.baseline.metrics)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`
        : '—',
      e.verdict,
    ]),
  );
  const fairness = rows.flatMap((e) => e.fairness.map((f) => ({ ...f, at: e.evaluatedAt })));
  if (fairness.length > 0) {
    table(
      doc,
      [
        { header: 'Protected attribute', width: 100 },
        { header: 'Metric', width: 130 },
        { header: 'Value', width: 60, align: 'right' },
        { header: 'Threshold', width: 60, align: 'right' },
        { header: 'Result', width: contentWidth(doc) - 350 },
      ],
      fairness.map((f) => [
        f.attribute,
        f.metric,
        String(f.value),
        String(f.threshold),
        f.passed ? 'passed' : 'FAILED',
      ]),
    );
  }
  for (const evaluation of rows) evaluationDetail(doc, evaluation);
}

type Evaluation = AuditPackContent['version']['evaluations'][number];
type Service = NonNullable<Evaluation['service']>;

/** A figure to `places` decimals; null (0/0, not measured) as a dash. */
const figure = (value: number | null | undefined, places = 4) =>
  value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(places);
/** A p-value: small ones in exponent form rather than 0.0000. */
const pValue = (value: number | null) =>
  value === null ? '—' : value < 0.0001 ? value.toExponential(2) : value.toFixed(4);
const STATUS: Record<string, string> = {
  pass: 'pass',
  fail: 'FAIL',
  'not-assessable': 'not assessable',
  skipped: 'skipped',
};
const FAIRNESS_RULES = new Set([
  'minDemographicParityRatio',
  'maxDemographicParityDifference',
  'minEqualizedOddsRatio',
  'maxEqualizedOddsDifference',
  'maxEqualOpportunityDifference',
]);

/**
 * One evaluation in full: for one Attest computed (README, "Evaluation runs"), every input by
 * digest, the metrics, the champion comparison, fairness per group with each rule's threshold,
 * the whole verdict and a calibration chart; one the pipeline posted is labelled as such.
 */
function evaluationDetail(doc: Doc, e: Evaluation): void {
  const service = e.performedBy === 'attest' ? e.service : null;
  heading(
    doc,
    `Evaluation ${e.id} — ${service ? 'computed by Attest' : 'posted by the pipeline'}`,
    service ? 200 : 80,
  );
  if (!service) {
    paragraph(
      doc,
      'Posted by the pipeline — not computed by Attest: the figures are the pipeline’s own, as it sent them; Attest did not score the model to obtain them.',
      { muted: true },
    );
    facts(doc, [
      ['Dataset', `${e.datasetVersion.name}@${e.datasetVersion.version}`],
      ['Dataset content hash', e.datasetVersion.contentHash],
      ['Posted', `${when(e.evaluatedAt)} by ${e.evaluatedBy}`],
      ['Verdict (as posted)', e.verdict],
    ]);
    return;
  }
  const { inputs, settings, measures, verdict } = service;
  facts(doc, [
    ['Evaluation run', service.runId],
    ['Environment', service.environment],
    ['Evaluated', `${when(e.evaluatedAt)} by ${e.evaluatedBy}`],
    [
      'Dataset',
      `${e.datasetVersion.name}@${e.datasetVersion.version}: ${measures.rows} rows, ${measures.positives} positive (${settings.labelColumn} = ${settings.positiveLabel})`,
    ],
    ['Artifact digest', inputs.artifactDigest],
    ['Dataset content hash', inputs.datasetContentHash],
    ['Champion artifact digest', inputs.championArtifactDigest ?? 'no champion'],
    ['onnxruntime', inputs.onnxruntimeVersion],
    ['Attest version', inputs.attestVersion],
    [
      'Evaluation policy version',
      inputs.policyVersion === 0 ? '0 (the default policy)' : String(inputs.policyVersion),
    ],
    [
      'Scoring',
      `output ${settings.scoreOutput}; predicted positive at score >= ${settings.threshold}; protected attributes ${list(settings.protectedAttributes)}`,
    ],
    [
      'Pipeline agreement',
      measures.pipelineAgreement
        ? `largest |${measures.pipelineAgreement.column} - onnxruntime score| = ${figure(measures.pipelineAgreement.maxAbsoluteDifference, 6)}`
        : 'no pipeline score column',
    ],
  ]);
  metricsTable(doc, measures.metrics);
  championComparison(doc, settings.champion, measures);
  fairnessByGroup(doc, service);
  verdictList(doc, verdict);
  calibrationChart(doc, `Calibration of evaluation ${e.id}`, measures.calibrationBins, {
    caption: `Calibration chart: mean predicted probability against observed rate in each of ${measures.calibrationBins.length} equal-count bins; the dashed diagonal is perfect calibration. ECE ${figure(measures.metrics.ece)}.`,
    xLabel: 'Mean predicted probability',
    yLabel: 'Observed rate',
  });
}

function metricsTable(doc: Doc, metrics: Service['measures']['metrics']): void {
  const hl = metrics.hosmerLemeshow;
  table(
    doc,
    [
      { header: 'Metric', width: 200 },
      { header: 'Value', width: contentWidth(doc) - 200 },
    ],
    [
      ['AUC', figure(metrics.auc)],
      ['Gini', figure(metrics.gini)],
      ['KS', figure(metrics.ks)],
      ['Brier score', figure(metrics.brier)],
      ['Accuracy', figure(metrics.accuracy)],
      ['Precision', figure(metrics.precision)],
      ['Recall', figure(metrics.recall)],
      ['F1', figure(metrics.f1)],
      ['Expected calibration error (ECE)', figure(metrics.ece)],
      [
        'Hosmer–Lemeshow',
        `statistic ${figure(hl.statistic, 3)}, ${hl.degreesOfFreedom} degrees of freedom, p ${pValue(hl.pValue)}`,
      ],
    ],
  );
}

function championComparison(
  doc: Doc,
  champion: string | null,
  measures: Service['measures'],
): void {
  const comparison = measures.champion;
  if (!comparison || champion === null) {
    paragraph(doc, 'Champion comparison: no champion was compared with.', { muted: true });
    return;
  }
  facts(doc, [
    ['Champion version', champion],
    ['Candidate AUC', figure(measures.metrics.auc)],
    ['Champion AUC', figure(comparison.auc)],
    [
      'Difference (candidate - champion)',
      `${figure(comparison.difference)}, 95% DeLong interval [${figure(comparison.lower95)}, ${figure(comparison.upper95)}]`,
    ],
    ['p (two-sided)', pValue(comparison.pValue)],
  ]);
}

function fairnessByGroup(doc: Doc, service: Service): void {
  const { fairness } = service.measures;
  if (fairness.length === 0) {
    paragraph(doc, 'No protected attribute was assessed.', { muted: true });
    return;
  }
  table(
    doc,
    [
      { header: 'Protected attribute', width: 110 },
      { header: 'Group', width: 110 },
      { header: 'Count', width: 60, align: 'right' },
      { header: 'Selection rate', width: 75, align: 'right' },
      { header: 'TPR', width: 70, align: 'right' },
      { header: 'FPR', width: contentWidth(doc) - 425, align: 'right' },
    ],
    fairness.flatMap((f) =>
      f.groups.map((g) => [
        f.attribute,
        g.group,
        String(g.count),
        figure(g.selectionRate),
        figure(g.tpr),
        figure(g.fpr),
      ]),
    ),
  );
  const rules = service.verdict.results.filter((r) => FAIRNESS_RULES.has(r.rule));
  if (rules.length === 0) return;
  table(
    doc,
    [
      { header: 'Protected attribute', width: 110 },
      { header: 'Fairness rule', width: 160 },
      { header: 'Value', width: 60, align: 'right' },
      { header: 'Threshold', width: 75, align: 'right' },
      { header: 'Result', width: contentWidth(doc) - 405 },
    ],
    rules.map((r) => [
      r.attribute ?? '—',
      r.rule,
      figure(r.value),
      `${r.comparison} ${figure(r.threshold)}`,
      `${STATUS[r.status] ?? r.status}${r.reason ? ` (${r.reason})` : ''}`,
    ]),
  );
}

function verdictList(doc: Doc, verdict: Service['verdict']): void {
  paragraph(
    doc,
    `Verdict: ${verdict.outcome}${verdict.passed ? ' (passed)' : ' (not passed)'} — every rule in force:`,
  );
  table(
    doc,
    [
      { header: 'Rule', width: 150 },
      { header: 'Attribute', width: 80 },
      { header: 'Value', width: 60, align: 'right' },
      { header: 'Threshold', width: 75, align: 'right' },
      { header: 'Status', width: contentWidth(doc) - 365 },
    ],
    verdict.results.map((r) => [
      r.rule,
      r.attribute ?? '—',
      figure(r.value),
      `${r.comparison} ${figure(r.threshold)}`,
      `${STATUS[r.status] ?? r.status}${r.reason ? ` (${r.reason})` : ''}`,
    ]),
  );
}

function approvals(doc: Doc, content: AuditPackContent): void {
  heading(doc, '6. Approvals');
  if (content.approvals.length === 0)
    return paragraph(doc, 'No approval was requested for this version.', { muted: true });
  table(
    doc,
    [
      { header: 'Environment · request', width: 100 },
      { header: 'Stage · role', width: 75 },
      { header: 'Approver', width: 60 },
      { header: 'Decided (UTC)', width: INSTANT_WIDTH },
      { header: 'Decision', width: 45 },
      { header: 'Comment', width: contentWidth(doc) - 280 - INSTANT_WIDTH },
    ],
    content.approvals.flatMap((a) => {
      const request = `${a.environment} · ${a.status}\nrequested ${day(a.requestedAt)} by ${a.requestedBy}`;
      // No stage: the policy let a passing service-run evaluation approve it (low risk only).
      if (a.stages.length === 0) {
        return [
          [
            request,
            'no stage',
            a.automatic ? 'Automatic' : '—',
            when(a.decidedAt),
            a.status,
            a.automatic ? automaticApprovalLabel(a.passingEvaluationId) : '',
          ],
        ];
      }
      return a.stages.map((s) => [
        request,
        `stage ${s.stage}\n${s.role}`,
        s.by ?? '—',
        when(s.at),
        s.status,
        s.comment ?? '',
      ]);
    }),
  );
  paragraph(
    doc,
    'Stages are numbered from 0, as the API (stages[].stage) and the ledger’s events number them.',
    { muted: true, size: 7.5 },
  );
  for (const a of content.approvals)
    paragraph(doc, `Evidence digest of request ${a.id}: ${a.evidenceDigest}`, {
      muted: true,
      size: 7.5,
    });
}

function deployments(doc: Doc, content: AuditPackContent): void {
  heading(doc, '7. Deployments and rollbacks');
  if (content.deploymentChanges.length === 0)
    return paragraph(doc, 'This version was never deployed.', { muted: true });
  table(
    doc,
    [
      { header: 'When (UTC)', width: INSTANT_WIDTH },
      { header: 'Deployment', width: 100 },
      { header: 'Change', width: 85 },
      { header: 'Versions', width: 75 },
      { header: 'By', width: 55 },
      { header: 'Reason', width: contentWidth(doc) - 315 - INSTANT_WIDTH },
    ],
    content.deploymentChanges.map((c) => [
      when(c.at),
      c.deploymentId,
      `${CHANGES[c.eventType] ?? c.eventType}${c.strategy ? ` (${c.strategy}${c.canaryPercent !== null ? ` ${c.canaryPercent}%` : ''})` : ''}`,
      c.fromVersion || c.toVersion
        ? `${c.fromVersion ?? '—'} to ${c.toVersion ?? '—'}`
        : (c.version ?? '—'),
      c.actor,
      `${c.reason ?? ''}${c.automatic ? ' (automatic)' : ''}`,
    ]),
  );
}

function monitoring(doc: Doc, content: AuditPackContent): void {
  heading(doc, '8. Monitoring', 200);
  if (content.volume.length === 0) {
    paragraph(doc, 'No prediction batch is recorded for this version.', { muted: true });
  } else {
    lineChart(doc, 'Predictions per day', [
      { name: 'predictions', points: content.volume.map((v) => ({ x: v.day, y: v.predictions })) },
      {
        name: 'referred to a person',
        points: content.volume.map((v) => ({ x: v.day, y: v.referred })),
      },
    ]);
    stackedBars(
      doc,
      'Output distribution per day',
      content.volume.map((v) => ({ x: v.day, parts: v.outputs })),
    );
  }
  const metrics = [...new Set(content.groundTruth.flatMap((g) => Object.keys(g.metrics)))].sort();
  if (metrics.length > 0) {
    lineChart(
      doc,
      'Ground-truth metrics as labels arrived',
      metrics.map((metric) => ({
        name: metric,
        points: content.groundTruth
          .filter((g) => metric in g.metrics)
          .map((g) => ({ x: day(g.at), y: g.metrics[metric] })),
      })),
    );
  }
  if (content.alerts.length === 0)
    return paragraph(doc, 'No alert was raised on its deployments.', { muted: true });
  table(
    doc,
    [
      { header: 'Raised (UTC)', width: INSTANT_WIDTH },
      { header: 'Deployment', width: 100 },
      { header: 'Severity · kind', width: 75 },
      { header: 'Summary', width: contentWidth(doc) - 255 - INSTANT_WIDTH },
      { header: 'Status', width: 80 },
    ],
    content.alerts.map((a) => [
      when(a.raisedAt),
      a.deploymentId,
      `${a.severity} · ${a.kind}`,
      a.summary,
      a.resolvedAt ? `resolved ${day(a.resolvedAt)}` : a.status,
    ]),
  );
}

function deletions(doc: Doc, content: AuditPackContent): void {
  heading(doc, '9. Deletion requests that touched it');
  if (content.deletionRequests.length === 0)
    return paragraph(doc, 'No deletion request names this version.', { muted: true });
  table(
    doc,
    [
      { header: 'Request', width: 180, mono: true },
      { header: 'Received', width: 70 },
      { header: 'Due', width: 70 },
      { header: 'Status', width: 70 },
      { header: 'Fulfilled', width: contentWidth(doc) - 390 },
    ],
    content.deletionRequests.map((r) => [
      r.id,
      day(r.receivedOn),
      day(r.dueOn),
      r.status,
      day(r.fulfilledAt),
    ]),
  );
}
