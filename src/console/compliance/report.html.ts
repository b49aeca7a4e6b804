import { automaticApprovalLabel } from '../../approvals/automatic-approval';
import type {
  AsicReport,
  ComplianceReport,
  MappedAnswer,
  OaicReport,
} from '../../compliance/reports/compliance-reports';
import { Html, HtmlValue, html } from '../html';
import { instant } from '../layout';
import { cellTable, day, lines } from './compliance-html';

/**
 * A compliance report on screen (README, "Console"): the sections of its PDF (report.pdf.ts), in
 * the same order and from the same JSON, as headings and tables.
 */
export function reportSections(report: ComplianceReport): Html {
  let n = 0;
  const section = (title: string, body: HtmlValue) =>
    html`<section aria-labelledby="section-${++n}">
      <h2 id="section-${n}">${n}. ${title}</h2>
      ${body}
    </section>`;
  const titles = report.sections;
  const scope = report.model ? `model ${report.model}` : 'portfolio';
  const first = section(
    titles[0] ?? 'Scope, period and ledger checkpoint',
    html`<dl class="facts">
      <dt>Scope</dt>
      <dd>${scope}</dd>
      <dt>Period</dt>
      <dd>${day(report.period.from)} to ${day(report.period.to)} (UTC days, inclusive)</dd>
      <dt>Ledger checkpoint</dt>
      <dd>
        ${report.checkpoint.treeSize} events, root
        <span class="mono">${report.checkpoint.rootHash}</span>
      </dd>
      <dt>Signed</dt>
      <dd>
        ${instant(report.checkpoint.timestamp)} by key
        <span class="mono">${report.checkpoint.keyId}</span>
      </dd>
      <dt>Cited events</dt>
      <dd>
        ${report.citedEvents} (the PDF's appendix); high-volume events are counted, not listed
      </dd>
      <dt>Generated</dt>
      <dd>${instant(report.generatedAt)}</dd>
    </dl>`,
  );
  const middle = report.report === 'asic-model-governance' ? asic(report) : oaic(report);
  const body = middle.map(([title, content]) => section(title, content));
  const last = section(
    titles[titles.length - 1] ?? 'Guardrail and practice mapping',
    html`<p class="muted">
        Each guardrail of the Voluntary AI Safety Standard, with the practice of the Guidance for AI
        Adoption that carries it on, rated by the events recorded in the period: covered when every
        evidencing event type occurs, partly when some do, missing when none do or Attest records no
        such evidence.
      </p>
      ${mappingTable('Guardrails', report.guardrails, true)}`,
  );
  return html`${first}${body}${last}`;
}

const STATUS: Record<MappedAnswer['status'], Html> = {
  covered: html`<span class="badge ok">covered</span>`,
  partly: html`<span class="badge warn">partly</span>`,
  missing: html`<span class="badge bad">missing</span>`,
};

function mappingTable(caption: string, items: MappedAnswer[], guardrails: boolean): Html {
  return cellTable(
    caption,
    [
      { label: guardrails ? 'Guardrail · practice' : 'Question' },
      { label: 'Evidencing event types (count in period)' },
      { label: 'Status' },
    ],
    items.map((item) => [
      html`${item.id}.
      ${item.text}${
        item.practice ? html`<br /><span class="muted">Practice ${item.practice}</span>` : ''
      }`,
      item.evidence.length > 0
        ? item.evidence.map((e) => `${e.eventType} (${e.count})`).join(', ')
        : 'none recorded by Attest',
      STATUS[item.status],
    ]),
  );
}

const none = (text: string) => html`<p class="muted">${text}</p>`;

/** The inventory entry's serving state and dates, as the PDF states them. */
function servingCell(v: AsicReport['inventory'][number]): Html {
  if (v.firstDeployedAt === null) return html`<span class="muted">—</span>`;
  const now =
    v.serving.length > 0
      ? v.serving.map(
          (s) => html`${s.environment} ${s.percent}%${s.role === 'canary' ? ' canary' : ''}`,
        )
      : [html`none now`];
  const until = v.lastServedUntil ? [html`served until ${day(v.lastServedUntil)}`] : [];
  return lines([...now, html`first deployed ${day(v.firstDeployedAt)}`, ...until]);
}

type Section = [string, HtmlValue];

function asic(report: AsicReport): Section[] {
  const titles = report.sections;
  const { monitoring } = report;
  return [
    [
      titles[1],
      cellTable(
        'Model inventory',
        [
          { label: 'Model version' },
          { label: 'Stage' },
          { label: 'Risk' },
          { label: 'Decision class' },
          { label: 'Owner' },
          { label: 'Vendor' },
          { label: 'Serving now (share); dates' },
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
      ),
    ],
    [
      titles[2],
      cellTable(
        'Accountability',
        [{ label: 'Model version' }, { label: 'Owner' }, { label: 'Approvals' }],
        report.accountability.map((a) => [
          `${a.model} ${a.version}`,
          a.owner,
          a.approvals.length === 0
            ? 'none requested'
            : lines(
                a.approvals.map(
                  (p) =>
                    html`${p.environment} (${p.status}):
                    ${
                      p.automatic
                        ? automaticApprovalLabel(p.evaluationId)
                        : p.approvers.length === 0
                          ? 'no stage granted'
                          : p.approvers.map(
                              (x, i) =>
                                html`${i > 0 ? '; ' : ''}stage ${x.stage} ${x.role}: ${x.sub},
                                ${day(x.at)}`,
                            )
                    }`,
                ),
              ),
        ]),
      ),
    ],
    [titles[3], mappingTable('REP 798 questions', report.obligations, false)],
    [
      titles[4],
      cellTable(
        'Fairness and disclosure',
        [
          { label: 'Model version' },
          { label: 'Evaluations', numeric: true },
          { label: 'Fairness checks (failed)' },
          { label: 'Explainability' },
          { label: 'Consumer disclosure' },
          { label: 'Human oversight' },
        ],
        report.fairness.map((f) => [
          `${f.model} ${f.version}`,
          f.evaluations,
          `${f.fairnessChecks} (${f.fairnessFailed})`,
          f.explainability ?? 'not recorded',
          f.consumerDisclosure ?? 'not recorded',
          f.humanOversight ?? 'not recorded',
        ]),
      ),
    ],
    [
      titles[5],
      report.thirdParty.length === 0
        ? none('No vendor model is recorded.')
        : cellTable(
            'Third-party models',
            [{ label: 'Model version' }, { label: 'Vendor' }],
            report.thirdParty.map((t) => [`${t.model} ${t.version}`, t.vendor]),
          ),
    ],
    [
      titles[6],
      html`<p>
          ${monitoring.breachedSignals} drift or performance signal(s) breached their threshold in
          the period; ${monitoring.alerts.length} alert(s) raised; ${monitoring.rollbacks.length}
          rollback(s).
        </p>
        ${
          monitoring.alerts.length > 0
            ? cellTable(
                'Alerts raised',
                [
                  { label: 'Raised' },
                  { label: 'Deployment' },
                  { label: 'Severity · kind' },
                  { label: 'Summary' },
                  { label: 'Status' },
                ],
                monitoring.alerts.map((a) => [
                  instant(a.raisedAt),
                  a.deploymentId,
                  `${a.severity} · ${a.kind}`,
                  a.summary,
                  a.status,
                ]),
              )
            : ''
        }
        ${
          monitoring.rollbacks.length > 0
            ? cellTable(
                'Rollbacks',
                [
                  { label: 'When' },
                  { label: 'Deployment' },
                  { label: 'From · to' },
                  { label: 'Reason' },
                ],
                monitoring.rollbacks.map((r) => [
                  instant(r.at),
                  r.deploymentId,
                  `${r.fromVersion ?? '—'} to ${r.toVersion ?? '—'}`,
                  `${r.reason ?? ''}${r.automatic ? ' (automatic)' : ''}`,
                ]),
              )
            : ''
        }`,
    ],
    [
      titles[7],
      report.openFindings.length === 0
        ? none('No open finding.')
        : cellTable(
            'Open findings',
            [{ label: 'Model version' }, { label: 'Environment' }, { label: 'Finding' }],
            report.openFindings.map((f) => [
              `${f.model}${f.version ? ` ${f.version}` : ''}`,
              f.environment ?? '—',
              f.finding,
            ]),
          ),
    ],
  ];
}

const ACCOUNTED_BY = { replacement: 'replaced by', retraining: 'retrained as', exception: 'kept:' };

/** Where a request stands against its due date, as the report states it. */
function deletionStatus(r: OaicReport['deletionRequests'][number]): Html {
  if (r.overdue)
    return html`<span class="deadline-overdue">overdue by ${-(r.daysLeft ?? 0)} day(s)</span>`;
  if (r.status === 'fulfilled') return html`fulfilled ${instant(r.fulfilledAt)}`;
  return html`${r.status}, ${r.daysLeft} day(s) left`;
}

function oaic(report: OaicReport): Section[] {
  const titles = report.sections;
  const accounting = report.deletionRequests.flatMap((r) => [
    ...r.accounting.map((way) => [
      html`<span class="mono">${r.id}</span>`,
      `${way.kind} ${way.id}`,
      `${ACCOUNTED_BY[way.by]} ${way.detail}${way.inferred ? ' (read from a fulfilment recorded before accounting was required)' : ''}`,
    ]),
    ...r.unaccounted.map((item) => [
      html`<span class="mono">${r.id}</span>`,
      `${item.kind} ${item.id}`,
      html`<span class="badge bad">not accounted for</span>`,
    ]),
  ]);
  const exceptions = report.deletionRequests.flatMap((r) =>
    r.exceptions.map((e) => [html`<span class="mono">${r.id}</span>`, e.item, e.reason]),
  );
  return [
    [
      titles[1],
      report.personalInformation.length === 0
        ? none('No dataset holding personal information is recorded.')
        : cellTable(
            'Personal information per dataset',
            [
              { label: 'Dataset version' },
              { label: 'Kinds (sensitive)' },
              { label: 'Lawful basis' },
              { label: 'Collection notice' },
              { label: 'Purpose' },
              { label: 'Retention · region' },
              { label: 'PIA' },
              { label: 'Models trained on it' },
            ],
            report.personalInformation.map((d) => [
              `${d.dataset}@${d.version}`,
              `${d.kinds.join(', ')}${d.sensitive ? ' (sensitive)' : ''}`,
              d.lawfulBasis ?? '—',
              d.collectionNotice ?? '—',
              d.purpose ?? '—',
              `${d.retention ?? '—'} · ${d.region}`,
              d.piaId ?? '—',
              d.modelVersions.join(', ') || '—',
            ]),
          ),
    ],
    [
      titles[2],
      html`<p>
          APP 1.7–1.9 ${report.adm.inForce ? 'were in force' : 'were not yet in force'} on
          ${day(report.period.to)} (in force from ${day(report.adm.inForceFrom)}).
        </p>
        ${
          report.adm.entries.length === 0
            ? none('No model version that decides or substantially assists served in the period.')
            : cellTable(
                'Automated decisions',
                [
                  { label: 'Model version' },
                  { label: 'ADM class' },
                  { label: 'Kinds of personal information' },
                  { label: 'Decisions' },
                  { label: 'Environments' },
                  { label: 'Gaps' },
                ],
                report.adm.entries.map((e) => [
                  `${e.model} ${e.version}`,
                  e.decisionClass,
                  e.personalInformationKinds.join(', ') ||
                    html`<span class="badge bad">none recorded</span>`,
                  e.decisions,
                  e.environments.join(', '),
                  e.gaps.join(', ') || 'none',
                ]),
              )
        }`,
    ],
    [titles[3], html`<p>${report.accessAndCorrection.note}</p>`],
    [
      titles[4],
      html`${
        report.deletionRequests.length === 0
          ? none('No deletion request in the period.')
          : cellTable(
              'Deletion requests',
              [
                { label: 'Request' },
                { label: 'Received' },
                { label: 'Due' },
                { label: 'Status against due date' },
                { label: 'Affected (datasets, models, deployments)' },
              ],
              report.deletionRequests.map((r) => [
                html`<span class="mono">${r.id}</span>`,
                day(r.receivedOn),
                day(r.dueOn),
                deletionStatus(r),
                r.affected
                  ? `${r.affected.datasetVersions}, ${r.affected.models}, ${r.affected.deployments}`
                  : 'not yet assessed',
              ]),
            )
      }
      ${report.deletionRequests
        .filter((r) => r.warning)
        .map(
          (r) =>
            html`<p>
              <strong>Warning:</strong> deletion request <span class="mono">${r.id}</span> was
              ${r.warning}.
            </p>`,
        )}
      ${
        accounting.length > 0
          ? cellTable(
              'How each affected item was accounted for',
              [
                { label: 'Fulfilled request' },
                { label: 'Affected item' },
                { label: 'Accounted for by' },
              ],
              accounting,
            )
          : ''
      }`,
    ],
    [titles[5], html`<p>${report.breaches.note}</p>`],
    [
      titles[6],
      exceptions.length === 0
        ? none('No item was kept back from a deletion.')
        : cellTable(
            'Exceptions',
            [{ label: 'Request' }, { label: 'Item kept' }, { label: 'Reason' }],
            exceptions,
          ),
    ],
  ];
}
