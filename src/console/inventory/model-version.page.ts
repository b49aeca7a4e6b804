import type { ApprovalRecord } from '../../approvals/queries/approvals/approval.read-model';
import type { LineageGraphView } from '../../lineage/queries/lineage/lineage.view';
import type {
  ModelEvaluationView,
  ModelVersionView,
} from '../../model-registry/queries/model-registry/model.view';
import type { AlertView } from '../../monitoring/queries/alerts/alert.view';
import { lineChart } from '../charts';
import type { ConsoleContext } from '../console-context';
import { Html, HtmlValue, html, join } from '../html';
import { dataTable, instant, notice } from '../layout';
import {
  alertsAsOfNowNotice,
  cardFacts,
  deploymentPath,
  modelPath,
  stageBadge,
  versionPath,
} from './inventory.pages';
import { type DiagramEdge, type DiagramNode, diagramSvg } from './lineage-diagram';

const KIND_WORDS: Record<string, string> = {
  'dataset-version': 'dataset version',
  'training-run': 'training run',
  'model-version': 'model version',
  deployment: 'deployment',
  'prediction-batch': 'prediction batch',
};

const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${(Math.round(x * 1000) / 10).toString()}%`;
const figure = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? '—'
    : (Math.round(x * 1000) / 1000).toString();
const shortId = (id: string) => id.slice(0, 8);
const yesNo = (value: unknown) => (value === true ? 'yes' : value === false ? 'no' : '—');

type Facts = Record<string, unknown> | null;
const fact = (facts: Facts, name: string): string | undefined => {
  const value = facts?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
};

/** The lineage graph's nodes and edges, with the version's evaluations as nodes of their own. */
export function lineageDiagram(
  ctx: ConsoleContext,
  view: ModelVersionView,
  lineage: LineageGraphView,
): { nodes: DiagramNode[]; edges: DiagramEdge[] } {
  const rootKey = `model-version:${lineage.root.id}`;
  const nodes: DiagramNode[] = lineage.nodes.map((node) => {
    const key = `${node.kind}:${node.id}`;
    const facts = node.facts as Facts;
    const kind = KIND_WORDS[node.kind] ?? node.kind;
    switch (node.kind) {
      case 'dataset-version':
        return {
          key,
          kind,
          label: node.id,
          detail: [
            fact(facts, 'region'),
            facts?.containsPersonalInformation === true ? 'personal info' : undefined,
          ]
            .filter(Boolean)
            .join(' · '),
        };
      case 'training-run':
        return {
          key,
          kind,
          label: `run ${shortId(node.id)}`,
          detail: [fact(facts, 'algorithm'), fact(facts, 'status')].filter(Boolean).join(' · '),
        };
      case 'model-version': {
        const model = fact(facts, 'model');
        const version = fact(facts, 'version');
        return {
          key,
          kind,
          label: node.id,
          detail: fact(facts, 'status'),
          href: model && version ? ctx.href(versionPath(model, version)) : undefined,
          root: key === rootKey,
        };
      }
      case 'deployment':
        return {
          key,
          kind,
          label: node.id,
          detail: [
            fact(facts, 'status'),
            node.predictionBatches ? `${node.predictionBatches.count} batches` : undefined,
          ]
            .filter(Boolean)
            .join(' · '),
          href: ctx.href(deploymentPath(node.id)),
        };
      default:
        return { key, kind, label: shortId(node.id), detail: fact(facts, 'version') };
    }
  });
  const edges: DiagramEdge[] = lineage.edges.map((edge) => ({
    from: `${edge.from.kind}:${edge.from.id}`,
    to: `${edge.to.kind}:${edge.to.id}`,
    relation: edge.relation,
    at: edge.occurredAt,
  }));
  for (const evaluation of view.evaluations) {
    const key = `evaluation:${evaluation.id}`;
    nodes.push({
      key,
      kind: 'evaluation',
      label: `evaluation ${shortId(evaluation.id)}`,
      detail: `${evaluation.verdict} · ${evaluation.datasetVersion.name}@${evaluation.datasetVersion.version}`,
    });
    edges.push({ from: rootKey, to: key, relation: 'evaluated-by', at: evaluation.evaluatedAt });
  }
  return { nodes, edges };
}

function lineageSection(ctx: ConsoleContext, view: ModelVersionView, lineage: LineageGraphView) {
  const { nodes, edges } = lineageDiagram(ctx, view, lineage);
  const labels = new Map(nodes.map((node) => [node.key, node]));
  const title = `Lineage of ${view.model}@${view.version}: ${nodes.length} nodes, ${edges.length} edges`;
  const nodeTable = dataTable({
    label: 'Lineage nodes',
    caption: 'Nodes of the lineage graph',
    columns: [{ label: 'Kind' }, { label: 'Name or id' }, { label: 'Facts' }],
    rows: nodes.map(
      (node) =>
        html`<tr>
          <td>${node.kind}</td>
          <th scope="row">
            ${node.href && !node.root ? html`<a href="${node.href}">${node.label}</a>` : node.label}
          </th>
          <td>${node.detail || html`<span class="muted">—</span>`}</td>
        </tr>`,
    ),
  });
  const edgeTable = dataTable({
    label: 'Lineage edges',
    caption: 'Edges of the lineage graph, upstream end first',
    columns: [{ label: 'From' }, { label: 'Relation' }, { label: 'To' }, { label: 'Recorded' }],
    rows: edges.map(
      (edge) =>
        html`<tr>
          <td>${labels.get(edge.from)?.label ?? edge.from}</td>
          <td>${edge.relation}</td>
          <td>${labels.get(edge.to)?.label ?? edge.to}</td>
          <td>${instant(edge.at)}</td>
        </tr>`,
    ),
  });
  return html`<section aria-labelledby="lineage-heading">
    <h2 id="lineage-heading">Lineage</h2>
    <p>
      Where this version came from and where it went: dataset versions → training run → this version
      → its evaluations and deployments.
      ${lineage.truncated ? 'The graph is cut short: it reached the node limit.' : ''}
    </p>
    <figure class="lineage-figure">
      <div class="lineage-scroll">${diagramSvg(title, nodes, edges)}</div>
      <figcaption>${title}</figcaption>
    </figure>
    <details>
      <summary>Nodes and edges as tables</summary>
      ${nodeTable} ${edgeTable}
    </details>
  </section>`;
}

function trainingData(view: ModelVersionView, lineage: LineageGraphView): Html {
  const facts = new Map(
    lineage.nodes
      .filter((node) => node.kind === 'dataset-version')
      .map((node) => [node.id, node.facts as Facts]),
  );
  const table = dataTable({
    label: 'Training data',
    caption: html`Dataset versions ${view.model}@${view.version} was trained on`,
    columns: [
      { label: 'Dataset version' },
      { label: 'Rows', numeric: true },
      { label: 'Region' },
      { label: 'Personal information' },
      { label: 'Sensitive information' },
      { label: 'Status' },
      { label: 'Content hash' },
    ],
    rows: view.datasetVersions.map((dataset) => {
      const id = `${dataset.name}@${dataset.version}`;
      const f = facts.get(id) ?? null;
      return html`<tr>
        <th scope="row">${id}</th>
        <td class="num">${fact(f, 'rows') ?? '—'}</td>
        <td>${fact(f, 'region') ?? '—'}</td>
        <td>${yesNo(f?.containsPersonalInformation)}</td>
        <td>${yesNo(f?.containsSensitiveInformation)}</td>
        <td>${fact(f, 'status') ?? '—'}</td>
        <td><code>${dataset.contentHash}</code></td>
      </tr>`;
    }),
  });
  return html`<h2>Training data</h2>
    ${table}`;
}

function fairnessTables(evaluation: ModelEvaluationView): Html {
  const rules = dataTable({
    label: 'Fairness verdicts',
    caption: html`Fairness verdicts of evaluation ${shortId(evaluation.id)}`,
    className: 'fairness',
    columns: [
      { label: 'Protected attribute' },
      { label: 'Metric' },
      { label: 'Per group' },
      { label: 'Value', numeric: true },
      { label: 'Threshold', numeric: true },
      { label: 'Verdict' },
    ],
    rows: evaluation.fairness.map(
      (result) =>
        html`<tr>
          <th scope="row">${result.attribute}</th>
          <td>${result.metric}</td>
          <td>
            ${join(
              Object.entries(result.groups).map(([group, value]) => `${group}: ${figure(value)}`),
              '; ',
            )}
          </td>
          <td class="num">${figure(result.value)}</td>
          <td class="num">${figure(result.threshold)}</td>
          <td>
            ${result.passed ? html`<span class="badge ok">pass</span>` : html`<span class="badge bad">fail</span>`}
          </td>
        </tr>`,
    ),
  });
  const measured = evaluation.service?.measures.fairness ?? [];
  const statuses = new Map(
    (evaluation.service?.verdict.results ?? [])
      .filter((r) => r.attribute)
      .map((r) => [`${r.attribute}`, r.status]),
  );
  const groups = dataTable({
    label: 'Fairness by group',
    caption: html`Fairness by group, evaluation ${shortId(evaluation.id)}`,
    className: 'fairness-groups',
    columns: [
      { label: 'Protected attribute' },
      { label: 'Group' },
      { label: 'Rows', numeric: true },
      { label: 'Selection rate', numeric: true },
      { label: 'True positive rate', numeric: true },
      { label: 'False positive rate', numeric: true },
    ],
    rows: measured.flatMap((attribute) =>
      attribute.groups.map(
        (group) =>
          html`<tr>
            <td>${attribute.attribute}</td>
            <th scope="row">${group.group}</th>
            <td class="num">${group.count}</td>
            <td class="num">${percent(group.selectionRate)}</td>
            <td class="num">${percent(group.tpr)}</td>
            <td class="num">${percent(group.fpr)}</td>
          </tr>`,
      ),
    ),
  });
  return html`${
    evaluation.fairness.length > 0
      ? rules
      : html`<p class="muted">No fairness rule was assessed.</p>`
  }
  ${measured.length > 0 ? groups : ''}
  ${
    statuses.size > 0 && [...statuses.values()].includes('not-assessable')
      ? html`<p>Some fairness rules were not assessable (groups too small).</p>`
      : ''
  }`;
}

function ruleTable(evaluation: ModelEvaluationView): HtmlValue {
  const results = evaluation.service?.verdict.results ?? [];
  if (results.length === 0) return '';
  return dataTable({
    label: 'Policy rules',
    caption: html`Policy rules of evaluation ${shortId(evaluation.id)}:
    ${evaluation.service?.verdict.outcome}`,
    columns: [
      { label: 'Rule' },
      { label: 'Attribute' },
      { label: 'Value', numeric: true },
      { label: 'Must be' },
      { label: 'Result' },
    ],
    rows: results.map(
      (r) =>
        html`<tr>
          <th scope="row">${r.rule}</th>
          <td>${r.attribute ?? '—'}</td>
          <td class="num">${figure(r.value)}</td>
          <td>${r.comparison} ${figure(r.threshold)}</td>
          <td>${r.status}${r.reason ? html` <span class="muted">(${r.reason})</span>` : ''}</td>
        </tr>`,
    ),
  });
}

function evaluationSection(evaluation: ModelEvaluationView): Html {
  const metrics = Object.entries(evaluation.metrics);
  const bins = evaluation.service?.measures.calibrationBins ?? [];
  const baseline = evaluation.baseline?.version ? ` (${evaluation.baseline.version})` : '';
  const metricTable = dataTable({
    label: 'Metrics',
    caption: html`Metrics of evaluation ${shortId(evaluation.id)}`,
    columns: [
      { label: 'Metric' },
      { label: 'Value', numeric: true },
      { label: `Baseline${baseline}`, numeric: true },
    ],
    rows: metrics.map(
      ([name, value]) =>
        html`<tr>
          <th scope="row">${name}</th>
          <td class="num">${figure(value)}</td>
          <td class="num">${figure(evaluation.baseline?.metrics[name])}</td>
        </tr>`,
    ),
  });
  return html`<section class="evaluation" aria-labelledby="evaluation-${evaluation.id}">
    <h3 id="evaluation-${evaluation.id}">
      Evaluation ${shortId(evaluation.id)}:
      ${
        evaluation.verdict === 'pass'
          ? html`<span class="badge ok">pass</span>`
          : html`<span class="badge bad">fail</span>`
      }
    </h3>
    <p>
      On ${evaluation.datasetVersion.name}@${evaluation.datasetVersion.version},
      ${
        evaluation.performedBy === 'attest'
          ? html`run by Attest${evaluation.service ? ` for ${evaluation.service.environment}` : ''}`
          : 'posted by the pipeline'
      },
      recorded by ${evaluation.evaluatedBy}, ${instant(evaluation.evaluatedAt)}.
    </p>
    ${metrics.length > 0 ? metricTable : ''} ${ruleTable(evaluation)}
    <h4>Fairness</h4>
    ${fairnessTables(evaluation)}
    ${
      bins.length > 0
        ? html`<h4>Calibration</h4>
            ${lineChart({
              title: `Calibration of evaluation ${shortId(evaluation.id)}: observed rate against mean predicted score, by bin`,
              series: [
                {
                  name: 'Observed positive rate',
                  points: bins.map((bin) => ({ x: bin.meanPredicted, y: bin.observedRate })),
                },
              ],
              formatX: (x) => figure(x),
              formatY: (y) => figure(y),
              yRange: [0, 1],
              dots: true,
              diagonal: true,
            })}`
        : ''
    }
  </section>`;
}

function approvalTimeline(approval: ApprovalRecord): Html {
  const steps: Html[] = [
    html`<li>
      ${instant(approval.requestedAt)}: requested for <strong>${approval.environment}</strong> by
      ${approval.requestedBy}${approval.comment ? html` — “${approval.comment}”` : ''}
    </li>`,
  ];
  for (const stage of approval.stages) {
    steps.push(
      html`<li>
        ${stage.at ? html`${instant(stage.at)}: ` : ''}stage ${stage.stage + 1} (${stage.role}):
        <strong>${stage.status}</strong>${stage.by ? html` by ${stage.by}` : ''}${
          stage.comment ? html` — “${stage.comment}”` : ''
        }
      </li>`,
    );
  }
  if (approval.approvedAutomatically) steps.push(html`<li>${approval.approvedAutomatically}</li>`);
  if (approval.status === 'withdrawn')
    steps.push(
      html`<li>
        ${instant(approval.decidedAt)}: withdrawn by
        ${approval.closedBy ?? 'someone'}${
          approval.withdrawalReason ? html` — “${approval.withdrawalReason}”` : ''
        }
      </li>`,
    );
  else if (approval.decidedAt)
    steps.push(html`<li>${instant(approval.decidedAt)}: <strong>${approval.status}</strong></li>`);
  return html`<h3>
      Approval for ${approval.environment}: ${approval.status}
      <span class="muted mono">(${shortId(approval.id)})</span>
    </h3>
    <ol class="timeline">
      ${steps}
    </ol>`;
}

function deploymentsSection(ctx: ConsoleContext, view: ModelVersionView): Html {
  const serving = new Set(view.deployments.map((d) => d.deploymentId));
  const table = dataTable({
    label: 'Deployment history',
    caption: html`Every spell ${view.model}@${view.version} served, oldest first`,
    columns: [
      { label: 'Deployment' },
      { label: 'Environment' },
      { label: 'Strategy' },
      { label: 'Started' },
      { label: 'Ended' },
    ],
    rows: view.deploymentHistory.map(
      (spell) =>
        html`<tr>
          <th scope="row">
            <a href="${ctx.href(deploymentPath(spell.deploymentId))}">${spell.deploymentId}</a>
          </th>
          <td>${spell.environment}</td>
          <td>
            ${spell.strategy}${spell.canaryPercent !== null ? ` (${spell.canaryPercent}%)` : ''}
          </td>
          <td>${spell.started}, ${instant(spell.startedAt)}</td>
          <td>
            ${
              spell.ended
                ? html`${spell.ended}, ${instant(spell.endedAt)}`
                : serving.has(spell.deploymentId)
                  ? 'serving'
                  : '—'
            }
          </td>
        </tr>`,
    ),
  });
  return html`<h2>Deployments</h2>
    <p>
      ${
        view.deployments.length === 0
          ? 'Not serving anywhere.'
          : html`Serving in
            ${join(
              view.deployments.map(
                (d) =>
                  html`<a href="${ctx.href(deploymentPath(d.deploymentId))}">${d.environment}</a>
                    (${d.role}, ${d.percent}%)`,
              ),
              ', ',
            )}.`
      }
    </p>
    ${view.deploymentHistory.length > 0 ? table : ''}`;
}

function monitoringSection(ctx: ConsoleContext, alerts: readonly AlertView[]): Html {
  const table = dataTable({
    label: 'Open alerts',
    caption: 'Open alerts of this version',
    columns: [
      { label: 'Raised' },
      { label: 'Deployment' },
      { label: 'Severity' },
      { label: 'Kind' },
      { label: 'Summary' },
    ],
    rows: alerts.map(
      (alert) =>
        html`<tr>
          <td>${instant(alert.raisedAt)}</td>
          <td>
            <a href="${ctx.href(deploymentPath(alert.deploymentId))}">${alert.deploymentId}</a>
          </td>
          <td>${alert.severity}</td>
          <td>${alert.kind}</td>
          <td>${alert.summary}</td>
        </tr>`,
    ),
  });
  return html`<h2>Monitoring</h2>
    ${alertsAsOfNowNotice(ctx)}
    <p data-open-alerts="${alerts.length}">
      ${alerts.length} open alert${alerts.length === 1 ? '' : 's'}: alerts whose signal names this
      version, and alerts raised by hand on a deployment where it serves.
    </p>
    ${alerts.length > 0 ? table : ''}`;
}

function requestApprovalForm(ctx: ConsoleContext, view: ModelVersionView): Html {
  const action = `${versionPath(view.model, view.version)}/approval-requests`;
  return html`<section aria-labelledby="request-approval-heading" class="write">
    <h2 id="request-approval-heading">Request approval</h2>
    <form method="post" action="${action}" data-write="request-approval" class="stack">
      <input type="hidden" name="_csrf" value="${ctx.csrfToken}" />
      <label for="request-environment">Environment</label>
      <input id="request-environment" name="environment" type="text" value="production" required />
      <label for="request-comment">Comment (optional)</label>
      <textarea id="request-comment" name="comment" rows="3" maxlength="2000"></textarea>
      <div><button type="submit">Request approval</button></div>
    </form>
  </section>`;
}

export interface VersionPageData {
  view: ModelVersionView;
  lineage: LineageGraphView;
  approvals: ApprovalRecord[];
  alerts: AlertView[];
  mayRequestApproval: boolean;
}

/** GET /console/models/:name/versions/:version. */
export function versionBody(ctx: ConsoleContext, data: VersionPageData): Html {
  const { view, lineage, approvals, alerts } = data;
  const canRequest = data.mayRequestApproval && view.status !== 'retired';
  const auditPack = `${versionPath(view.model, view.version)}/audit-pack`;
  return html`<p>
      <a href="${ctx.href('/console')}">Inventory</a> ›
      <a href="${ctx.href(modelPath(view.model))}">${view.model}</a> › ${view.version}
      ${stageBadge(view.status)}
    </p>
    <dl class="facts">
      <dt>Registered</dt>
      <dd>by ${view.registeredBy}, ${instant(view.registeredAt)}</dd>
      <dt>Trained by</dt>
      <dd>${view.trainedBy}</dd>
      <dt>Artifact</dt>
      <dd>
        <code>${view.artifactDigest}</code>
        ${view.artifact ? '(stored)' : html`<span class="muted">(not stored)</span>`}
      </dd>
      ${
        view.retirement
          ? html`<dt>Retired</dt>
              <dd>
                by ${view.retirement.retiredBy}, ${instant(view.retirement.retiredAt)}:
                ${view.retirement.reason}
              </dd>`
          : ''
      }
    </dl>
    <p><a href="${auditPack}">Download audit pack (PDF)</a></p>
    ${
      ctx.asOf
        ? notice(
            'info',
            'The card, lineage, evaluations, approvals and deployments are shown as they stood then; open alerts as they stand now.',
          )
        : ''
    }
    ${canRequest ? requestApprovalForm(ctx, view) : ''}
    <h2>Model card</h2>
    ${cardFacts(view.card)} ${lineageSection(ctx, view, lineage)} ${trainingData(view, lineage)}
    <h2>Evaluations</h2>
    ${
      view.evaluations.length === 0
        ? html`<p>No evaluation recorded${ctx.asOf ? ' by then' : ''}.</p>`
        : view.evaluations.map((evaluation) => evaluationSection(evaluation))
    }
    <h2>Approvals</h2>
    ${
      approvals.length === 0
        ? html`<p>No approval requested${ctx.asOf ? ' by then' : ''}.</p>`
        : approvals.map((approval) => approvalTimeline(approval))
    }
    ${deploymentsSection(ctx, view)} ${monitoringSection(ctx, alerts)}`;
}
