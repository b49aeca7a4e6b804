import type { AlertView } from '../../monitoring/queries/alerts/alert.view';
import { RISK_TIERS } from '../../model-registry/model.events';
import type {
  InventoryModel,
  InventoryVersion,
  ModelInventory,
} from '../../model-registry/queries/model-inventory/model-inventory.query-handler';
import type { ModelCardView } from '../../model-registry/queries/model-registry/model.view';
import type { DeploymentNow } from '../../model-registry/queries/model-registry/version-standing';
import { MODEL_VERSION_STATUSES } from '../../model-registry/queries/model-registry/version-status';
import type { ConsoleContext } from '../console-context';
import { Html, HtmlValue, html, join } from '../html';
import { asOfField, dataTable, instant, notice } from '../layout';
import type { InventoryFilterRequest } from './inventory-filter.request';

/** Where a model's and a version's pages are. */
export const modelPath = (name: string) => `/console/models/${encodeURIComponent(name)}`;
export const versionPath = (name: string, version: string) =>
  `${modelPath(name)}/versions/${encodeURIComponent(version)}`;
export const deploymentPath = (id: string) => `/console/deployments/${encodeURIComponent(id)}`;

/** A version's stage as a word in a box (the word carries the meaning, not the colour). */
export function stageBadge(stage: string): Html {
  const tone =
    stage === 'deployed' ? 'ok' : stage === 'approved' ? 'ok' : stage === 'retired' ? 'bad' : '';
  return html`<span class="badge ${tone}">${stage}</span>`;
}

/** What a deployment serves: `1.0.0`, `1.0.0 + canary 1.1.0 (10%)`, or that nothing does. */
export function servingText(deployment: DeploymentNow): string {
  if (deployment.status !== 'active') return `nothing (${deployment.status})`;
  const parts = [];
  if (deployment.version) parts.push(deployment.version);
  if (deployment.canaryVersion)
    parts.push(`canary ${deployment.canaryVersion} (${deployment.canaryPercent ?? 0}%)`);
  return parts.length > 0 ? parts.join(' + ') : 'nothing';
}

/** Open alerts by model (and, for a version page, the alerts themselves). */
export function openAlertsByModel(alerts: readonly AlertView[]): Map<string, AlertView[]> {
  const byModel = new Map<string, AlertView[]>();
  for (const alert of alerts)
    byModel.set(alert.model, [...(byModel.get(alert.model) ?? []), alert]);
  return byModel;
}

export function alertsAsOfNowNotice(ctx: ConsoleContext): HtmlValue {
  return ctx.asOf
    ? notice(
        'info',
        'Open alerts are shown as they stand now: monitoring keeps no as-of view of alerts.',
      )
    : '';
}

/** Whether a model passes the inventory's filters. */
export function matches(model: InventoryModel, filter: InventoryFilterRequest): boolean {
  const latest = model.versions[model.versions.length - 1];
  if (filter.q && !model.name.toLowerCase().includes(filter.q.toLowerCase())) return false;
  if (filter.riskTier && latest.card.riskTier !== filter.riskTier) return false;
  if (filter.stage && !model.versions.some((v) => v.status === filter.stage)) return false;
  if (
    filter.environment &&
    !model.deployments.some((d) => d.environment === filter.environment && d.status === 'active')
  )
    return false;
  return true;
}

function select(
  id: string,
  label: string,
  options: readonly string[],
  chosen: string | undefined,
): Html {
  return html`<div>
    <label for="${id}">${label}</label>
    <select id="${id}" name="${id}">
      <option value="">Any</option>
      ${options.map(
        (option) =>
          html`<option value="${option}" ${option === chosen ? html`selected` : ''}>
            ${option}
          </option>`,
      )}
    </select>
  </div>`;
}

function servingCell(ctx: ConsoleContext, model: InventoryModel): Html {
  const active = model.deployments.filter((d) => d.status === 'active');
  if (active.length === 0) return html`<span class="muted">not serving</span>`;
  return html`<ul class="plain">
    ${active.map(
      (d) =>
        html`<li>
          <a href="${ctx.href(deploymentPath(d.deploymentId))}">${d.environment}</a>:
          ${servingText(d)}
        </li>`,
    )}
  </ul>`;
}

function versionsCell(ctx: ConsoleContext, model: InventoryModel): Html {
  return html`<ul class="plain">
    ${[...model.versions].reverse().map(
      (v) =>
        html`<li>
          <a href="${ctx.href(versionPath(model.name, v.version))}">${v.version}</a>
          ${stageBadge(v.status)}
        </li>`,
    )}
  </ul>`;
}

/** GET /console: the filter form and the results (the part htmx swaps). */
export function inventoryBody(
  ctx: ConsoleContext,
  inventory: ModelInventory,
  alerts: { byModel: Map<string, AlertView[]>; more: boolean },
  filter: InventoryFilterRequest,
): Html {
  const environments = [
    ...new Set([
      ...inventory.models.flatMap((m) => m.deployments.map((d) => d.environment)),
      ...(filter.environment ? [filter.environment] : []),
    ]),
  ].sort();
  const shown = inventory.models.filter((model) => matches(model, filter));
  const filtered = Boolean(filter.q || filter.riskTier || filter.stage || filter.environment);
  const rows = shown.map((model) => {
    const latest = model.versions[model.versions.length - 1];
    const open = alerts.byModel.get(model.name)?.length ?? 0;
    return html`<tr>
      <th scope="row"><a href="${ctx.href(modelPath(model.name))}">${model.name}</a></th>
      <td>${latest.card.owner}</td>
      <td>${latest.card.riskTier}</td>
      <td>${latest.card.decisionClass}</td>
      <td>
        <a href="${ctx.href(versionPath(model.name, latest.version))}">${latest.version}</a>
        ${stageBadge(latest.status)}
      </td>
      <td>${versionsCell(ctx, model)}</td>
      <td>${servingCell(ctx, model)}</td>
      <td class="num" data-open-alerts="${open}">${open}${alerts.more && open > 0 ? '+' : ''}</td>
    </tr>`;
  });
  const caption = filtered
    ? `${shown.length} of ${inventory.models.length} models match the filters`
    : `${inventory.models.length} model${inventory.models.length === 1 ? '' : 's'}`;
  const table = dataTable({
    label: 'Models',
    caption,
    className: 'inventory',
    columns: [
      { label: 'Model' },
      { label: 'Owner' },
      { label: 'Risk tier' },
      { label: 'Decision class' },
      { label: 'Latest version and stage' },
      { label: 'Versions (newest first)' },
      { label: 'Serving, by environment' },
      { label: 'Open alerts', numeric: true },
    ],
    rows,
  });
  const results = html`<div id="inventory-results" aria-live="polite">
    ${
      shown.length === 0
        ? html`<p>
            ${
              inventory.models.length === 0
                ? ctx.asOf
                  ? 'No model had been registered by then.'
                  : 'No model is registered yet.'
                : 'No model matches these filters.'
            }
          </p>`
        : table
    }
  </div>`;
  return html`<p>
      Every registered model: its risk tier and decision class (of the latest version’s card), the
      stage of each version, what serves in each environment, and its open alerts.
    </p>
    <form
      class="filters"
      method="get"
      action="/console"
      role="search"
      aria-label="Filter the inventory"
      hx-get="/console"
      hx-select="#inventory-results"
      hx-target="#inventory-results"
      hx-swap="outerHTML"
      hx-trigger="input changed delay:300ms, search, submit"
      hx-push-url="true"
    >
      ${asOfField(ctx)}
      <div>
        <label for="q">Search by name</label>
        <input id="q" name="q" type="search" value="${filter.q ?? ''}" autocomplete="off" />
      </div>
      ${select('riskTier', 'Risk tier', RISK_TIERS, filter.riskTier)}
      ${select('stage', 'Stage (any version)', MODEL_VERSION_STATUSES, filter.stage)}
      ${select('environment', 'Serving in', environments, filter.environment)}
      <div><button type="submit">Filter</button></div>
    </form>
    ${alertsAsOfNowNotice(ctx)}
    ${
      alerts.more
        ? notice('warning', 'More than 1000 alerts are open: the counts show the newest 1000.')
        : ''
    }
    ${results}`;
}

const text = (value: string | null | undefined) =>
  value ? html`${value}` : html`<span class="muted">not stated</span>`;

/** A version's model card as a list of facts. */
export function cardFacts(card: ModelCardView): Html {
  return html`<dl class="facts">
    <dt>Risk tier</dt>
    <dd>${card.riskTier}</dd>
    <dt>Decision class</dt>
    <dd>${card.decisionClass}</dd>
    <dt>Owner</dt>
    <dd>${card.owner}</dd>
    <dt>Vendor</dt>
    <dd>${text(card.vendor)}</dd>
    <dt>Decisions it informs</dt>
    <dd>${card.decisions}</dd>
    <dt>Intended use</dt>
    <dd>${card.intendedUse}</dd>
    <dt>Limitations</dt>
    <dd>
      ${
        card.limitations.length === 0
          ? html`<span class="muted">none stated</span>`
          : html`<ul class="plain">
              ${card.limitations.map((l) => html`<li>${l}</li>`)}
            </ul>`
      }
    </dd>
    <dt>Personal information used</dt>
    <dd>
      ${
        card.personalInformationKinds.length === 0
          ? 'none'
          : join(card.personalInformationKinds, ', ')
      }
    </dd>
    <dt>Explainability</dt>
    <dd>${text(card.explainability)}</dd>
    <dt>Human oversight</dt>
    <dd>${text(card.humanOversight)}</dd>
    <dt>Consumer disclosure</dt>
    <dd>${text(card.consumerDisclosure)}</dd>
    <dt>Monitoring cadence</dt>
    <dd>${text(card.monitoringCadence)}</dd>
    <dt>Card last changed</dt>
    <dd>
      ${
        card.updatedBy
          ? html`by ${card.updatedBy}, ${instant(card.updatedAt)}`
          : html`<span class="muted">not since registration</span>`
      }
    </dd>
  </dl>`;
}

function versionRow(ctx: ConsoleContext, model: string, v: InventoryVersion): Html {
  return html`<tr>
    <th scope="row"><a href="${ctx.href(versionPath(model, v.version))}">${v.version}</a></th>
    <td>${stageBadge(v.status)}</td>
    <td>${v.card.riskTier}</td>
    <td>${v.registeredBy}</td>
    <td>${instant(v.registeredAt)}</td>
    <td>
      ${
        v.serving.length === 0
          ? html`<span class="muted">nowhere</span>`
          : join(
              v.serving.map(
                (s) =>
                  html`<a href="${ctx.href(deploymentPath(s.deploymentId))}">${s.environment}</a>
                    (${s.role}, ${s.percent}%)`,
              ),
              ', ',
            )
      }
    </td>
  </tr>`;
}

/** GET /console/models/:name: the latest version's card, the versions, the deployments. */
export function modelBody(
  ctx: ConsoleContext,
  model: InventoryModel,
  openAlerts: readonly AlertView[],
): Html {
  const latest = model.versions[model.versions.length - 1];
  const versions = dataTable({
    label: 'Versions',
    caption: html`Versions of ${model.name}, newest first`,
    columns: [
      { label: 'Version' },
      { label: 'Stage' },
      { label: 'Risk tier' },
      { label: 'Registered by' },
      { label: 'Registered' },
      { label: 'Serving' },
    ],
    rows: [...model.versions].reverse().map((v) => versionRow(ctx, model.name, v)),
  });
  const deployments = dataTable({
    label: 'Deployments',
    caption: html`Deployments of ${model.name}`,
    columns: [
      { label: 'Deployment' },
      { label: 'Environment' },
      { label: 'Status' },
      { label: 'Serving' },
      { label: 'Strategy' },
    ],
    rows: model.deployments.map(
      (d) =>
        html`<tr>
          <th scope="row">
            <a href="${ctx.href(deploymentPath(d.deploymentId))}">${d.deploymentId}</a>
          </th>
          <td>${d.environment}</td>
          <td>${d.status}</td>
          <td>${servingText(d)}</td>
          <td>${d.strategy}</td>
        </tr>`,
    ),
  });
  return html`<p>
      <a href="${ctx.href('/console')}">Inventory</a> › ${model.name}. Latest version
      <a href="${ctx.href(versionPath(model.name, latest.version))}">${latest.version}</a>
      ${stageBadge(latest.status)}; ${openAlerts.length} open
      alert${openAlerts.length === 1 ? '' : 's'}.
    </p>
    ${alertsAsOfNowNotice(ctx)}
    <h2>Model card (version ${latest.version})</h2>
    ${cardFacts(latest.card)}
    <h2>Versions</h2>
    ${versions}
    <h2>Deployments</h2>
    ${
      model.deployments.length === 0
        ? html`<p>Never deployed${ctx.asOf ? ' by then' : ''}.</p>`
        : deployments
    }`;
}
