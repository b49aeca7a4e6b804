import { Body, Controller, Get, Header, Inject, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { PromoteDeploymentCommand } from '../../deployments/commands/promote-deployment/promote-deployment.command';
import { PromoteDeploymentHttpController } from '../../deployments/commands/promote-deployment/promote-deployment.http.controller';
import { PromoteDeploymentRequest } from '../../deployments/commands/promote-deployment/promote-deployment.request.dto';
import { RollBackDeploymentCommand } from '../../deployments/commands/roll-back-deployment/roll-back-deployment.command';
import { RollBackDeploymentHttpController } from '../../deployments/commands/roll-back-deployment/roll-back-deployment.http.controller';
import { RollBackDeploymentRequest } from '../../deployments/commands/roll-back-deployment/roll-back-deployment.request.dto';
import { DeploymentPath } from '../../deployments/deployment-path.request.dto';
import {
  type DeploymentAsOf,
  type DeploymentListAsOf,
  ListDeploymentsAsOfQuery,
} from '../../deployments/queries/deployments-as-of/deployments-as-of.query-handler';
import type {
  DeploymentHistoryRow,
  DeploymentRow,
} from '../../deployments/queries/deployments/deployment.read-model';
import {
  type DeploymentDetail,
  type DeploymentList,
  GetDeploymentQuery,
  ListDeploymentsQuery,
} from '../../deployments/queries/deployments/deployments.query-handler';
import {
  ListRollbackCausesQuery,
  type RollbackCause,
} from '../../deployments/queries/rollback-causes/rollback-causes.query-handler';
import { CLOCK, type Clock } from '../../ledger/clock';
import { Command, type CommandContext } from '../../ledger/commands/command-context';
import type { WriteResult } from '../../ledger/commands/write-result';
import type { ProblemDetails } from '../../ledger/http/problem-details.filter';
import { ProjectionRunner } from '../../ledger/projections/projection-runner';
import { GetModelQuery } from '../../model-registry/queries/model-registry/model-registry.query-handler';
import type { ModelView } from '../../model-registry/queries/model-registry/model.view';
import { AlertPath } from '../../monitoring/commands/alert-path.request.dto';
import { ResolveAlertCommand } from '../../monitoring/commands/resolve-alert/resolve-alert.command';
import { ResolveAlertHttpController } from '../../monitoring/commands/resolve-alert/resolve-alert.http.controller';
import { ResolveAlertRequest } from '../../monitoring/commands/resolve-alert/resolve-alert.request.dto';
import { type MonitoringRules, effectiveRules } from '../../monitoring/monitoring-policy';
import type { AlertPage, AlertView } from '../../monitoring/queries/alerts/alert.view';
import {
  GetAlertQuery,
  ListAlertsQuery,
} from '../../monitoring/queries/alerts/alerts.query-handler';
import { GetDeploymentMonitoringQuery } from '../../monitoring/queries/deployment-monitoring/deployment-monitoring.query-handler';
import type { DeploymentMonitoringView } from '../../monitoring/queries/deployment-monitoring/deployment-monitoring.view';
import {
  GetMonitoringPolicyQuery,
  type MonitoringPolicyView,
} from '../../monitoring/queries/monitoring-policy/get-monitoring-policy.query-handler';
import {
  GetPredictionSpanQuery,
  type PredictionSpan,
} from '../../predictions/queries/prediction-span/prediction-span.query-handler';
import { ConsoleController, ConsoleWrite } from '../console-access';
import { Console, type ConsoleContext } from '../console-context';
import { consoleWrite, formFields, validated, withSource } from '../console-write';
import { Html, html } from '../html';
import { asOfField, dataTable, instant, notice, page } from '../layout';
import { type Period, PRESETS, periodRequest, resolvePeriod } from './deployment-period';
import { deploymentCharts } from './deployment-charts';

/** Pages of at most this many rows are read until the list ends (one query per page). */
const PAGE = 500;
const ALERT_PAGE = 1000;

const DONE: Record<string, string> = {
  promoted: 'The canary now takes all traffic.',
  'rolled-back': 'The deployment was rolled back.',
  resolved: 'The alert is resolved.',
};

type Serving = { version: string; role: 'primary' | 'canary'; percent: number }[];

/** The deployment as the page shows it: now, or as it stood at the time-travel instant. */
interface Shown {
  deployment: DeploymentRow;
  serving: Serving;
  history: DeploymentHistoryRow[];
}

/**
 * Deployments and their monitoring (README, "Console"): every deployment with what it serves and
 * its open alerts, and one deployment over a period, with its charts, history and alerts, and
 * the API's promote, roll back and resolve writes.
 */
@ConsoleController()
@Controller('console')
export class DeploymentsConsoleController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    private readonly runner: ProjectionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('deployments')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async list(@Console() ctx: ConsoleContext): Promise<string> {
    const [deployments, alerts] = await Promise.all([
      this.allDeployments(ctx.asOf),
      this.alertsAt(ctx.asOf),
    ]);
    const open = new Map<string, number>();
    for (const alert of alerts.filter((a) => openAt(a, ctx.asOf)))
      open.set(alert.deploymentId, (open.get(alert.deploymentId) ?? 0) + 1);
    const rows = deployments.map(
      (d) =>
        html`<tr>
          <th scope="row">
            <a href="${ctx.href(`/console/deployments/${d.deploymentId}`)}">${d.deploymentId}</a>
          </th>
          <td>${d.model}</td>
          <td>${d.environment}</td>
          <td>${d.version ?? html`<span class="muted">none</span>`}</td>
          <td>
            ${
              d.canaryVersion
                ? html`${d.canaryVersion} (${d.canaryPercent} %)`
                : html`<span class="muted">none</span>`
            }
          </td>
          <td>${statusBadge(d.status)}</td>
          <td class="num">
            ${
              open.get(d.deploymentId)
                ? html`<span class="badge bad">${open.get(d.deploymentId)}</span>`
                : '0'
            }
          </td>
        </tr>`,
    );
    const table = dataTable({
      label: 'Deployments',
      caption: html`${deployments.length}
      deployment${deployments.length === 1 ? '' : 's'}${
        ctx.asOf ? html`, as they stood at ${instant(ctx.asOf)}` : ''
      }`,
      captionClass: 'muted',
      columns: [
        { label: 'Deployment' },
        { label: 'Model' },
        { label: 'Environment' },
        { label: 'Stable version' },
        { label: 'Canary' },
        { label: 'Status' },
        { label: 'Open alerts', numeric: true },
      ],
      rows,
    });
    const body = deployments.length
      ? table
      : html`<p>
          ${ctx.asOf ? 'Nothing had been deployed by then.' : 'Nothing is deployed yet.'}
        </p>`;
    return page(ctx, { title: 'Deployments', section: 'deployments', body }).text;
  }

  @Get('deployments/:id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async detail(@Console() ctx: ConsoleContext, @Param('id') id: string): Promise<string> {
    const deploymentId = await this.deploymentIdOf(id);
    return (await this.render(ctx, deploymentId)).text;
  }

  @Post('deployments/:id/promotion')
  @ConsoleWrite(PromoteDeploymentHttpController, 'promote')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async promote(
    @Console() ctx: ConsoleContext,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Command() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const deploymentId = await this.deploymentIdOf(id);
    return this.write(ctx, reply, deploymentId, 'promoted', async () => {
      const request = await validated(PromoteDeploymentRequest, formFields(body));
      return this.commands.execute<PromoteDeploymentCommand, WriteResult>(
        new PromoteDeploymentCommand({ deploymentId }, withSource(context, request.source)),
      );
    });
  }

  @Post('deployments/:id/rollback')
  @ConsoleWrite(RollBackDeploymentHttpController, 'rollBack')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async rollBack(
    @Console() ctx: ConsoleContext,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Command() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const deploymentId = await this.deploymentIdOf(id);
    return this.write(ctx, reply, deploymentId, 'rolled-back', async () => {
      // A person rolls back here: `automatic` is the monitors' (the API takes false when absent).
      const request = await validated(RollBackDeploymentRequest, formFields(body));
      return this.commands.execute<RollBackDeploymentCommand, WriteResult>(
        new RollBackDeploymentCommand(
          { deploymentId, reason: request.reason, automatic: request.automatic ?? false },
          withSource(context, request.source),
        ),
      );
    });
  }

  @Post('alerts/:id/resolution')
  @ConsoleWrite(ResolveAlertHttpController, 'resolve')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async resolve(
    @Console() ctx: ConsoleContext,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
    @Command() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { id: alertId } = await validated(AlertPath, { id }, 'param');
    const alert = await this.queries.execute<GetAlertQuery, AlertView>(new GetAlertQuery(alertId));
    return this.write(ctx, reply, alert.deploymentId, 'resolved', async () => {
      const request = await validated(ResolveAlertRequest, formFields(body));
      return this.commands.execute<ResolveAlertCommand, WriteResult>(
        new ResolveAlertCommand(
          { alertId, resolution: request.resolution },
          withSource(context, request.source),
        ),
      );
    });
  }

  /**
   * A console write (console-write.ts): 303 back to the deployment; a refusal re-renders the page
   * with the API's sentence and status.
   */
  private write(
    ctx: ConsoleContext,
    reply: FastifyReply,
    deploymentId: string,
    done: keyof typeof DONE,
    run: () => Promise<WriteResult>,
  ): Promise<string> {
    return consoleWrite(
      reply,
      { runner: this.runner, timeoutMs: this.config.readWaitTimeoutMs },
      {
        run,
        location: () => `/console/deployments/${deploymentId}?done=${String(done)}`,
        refused: (problem) => this.render(ctx, deploymentId, problem),
      },
    );
  }

  private async deploymentIdOf(id: string): Promise<string> {
    return (await validated(DeploymentPath, { id }, 'param')).id;
  }

  private async render(
    ctx: ConsoleContext,
    deploymentId: string,
    problem?: ProblemDetails,
  ): Promise<Html> {
    const request = periodRequest(ctx.query);
    const shown = await this.shown(deploymentId, ctx.asOf);
    const { deployment } = shown;
    const [span, alerts, causes, rules] = await Promise.all([
      request.preset === 'all'
        ? this.queries.execute<GetPredictionSpanQuery, PredictionSpan>(
            new GetPredictionSpanQuery(deploymentId),
          )
        : Promise.resolve(null),
      this.alertsAt(ctx.asOf, deploymentId),
      this.queries.execute<ListRollbackCausesQuery, RollbackCause[]>(
        new ListRollbackCausesQuery(deploymentId),
      ),
      this.rulesOf(deployment.model),
    ]);
    const firstRollout = shown.history[0]?.at ?? null;
    const earliest = [span?.from ?? null, firstRollout]
      .filter((d): d is Date => d !== null)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    const period = resolvePeriod(request, ctx.asOf ?? this.clock(), ctx.asOf, earliest ?? null);
    const monitoring = await this.queries.execute<
      GetDeploymentMonitoringQuery,
      DeploymentMonitoringView
    >(
      new GetDeploymentMonitoringQuery(deploymentId, {
        from: period.from.toISOString(),
        to: period.to.toISOString(),
        bucket: period.bucket,
      }),
    );
    const done = ctx.query.get('done');
    const body = html`
      ${problem ? problemNotice(problem) : ''}
      ${done && DONE[done] && !problem ? notice('success', DONE[done]) : ''}
      <p><a href="${ctx.href('/console/deployments')}">All deployments</a></p>
      ${servingSection(ctx, shown)} ${actionsSection(ctx, shown)}
      ${periodSection(ctx, period, deploymentId, monitoring)}
      ${deploymentCharts(monitoring, rules, period)}
      ${historySection(shown.history, causes, alerts)} ${alertsSection(ctx, alerts)}
    `;
    return page(ctx, { title: deploymentId, section: 'deployments', body });
  }

  /** Now: the deployment's row and history; time travelling: as it stood then (as-of handler). */
  private async shown(deploymentId: string, asOf: Date | undefined): Promise<Shown> {
    const detail = await this.queries.execute<GetDeploymentQuery, DeploymentDetail>(
      new GetDeploymentQuery(deploymentId),
    );
    if (!asOf) {
      const d = detail.deployment;
      const serving: Serving = [];
      if (d.status === 'active' && d.version)
        serving.push({
          version: d.version,
          role: 'primary',
          percent: 100 - (d.canaryPercent ?? 0),
        });
      if (d.status === 'active' && d.canaryVersion)
        serving.push({ version: d.canaryVersion, role: 'canary', percent: d.canaryPercent ?? 0 });
      return { deployment: d, serving, history: detail.history };
    }
    const { model, environment } = detail.deployment;
    const then = await this.queries.execute<ListDeploymentsAsOfQuery, DeploymentListAsOf>(
      new ListDeploymentsAsOfQuery(asOf, { model, environment, limit: 1 }),
    );
    const history = detail.history.filter((h) => new Date(h.at).getTime() <= asOf.getTime());
    const item: DeploymentAsOf | undefined = then.items[0];
    if (!item) {
      // Not rolled out yet then: shown as nothing serving, with no history.
      return {
        deployment: {
          ...detail.deployment,
          status: 'inactive',
          version: null,
          canaryVersion: null,
          canaryPercent: null,
        },
        serving: [],
        history,
      };
    }
    return {
      deployment: item,
      serving: item.serving.map(({ version, role, percent }) => ({ version, role, percent })),
      history,
    };
  }

  /** The rules monitoring applies to the model: warn and alert levels of PSI. */
  private async rulesOf(model: string): Promise<MonitoringRules> {
    const [policy, found] = await Promise.all([
      this.queries.execute<GetMonitoringPolicyQuery, MonitoringPolicyView>(
        new GetMonitoringPolicyQuery(),
      ),
      this.queries.execute<GetModelQuery, ModelView>(new GetModelQuery(model)).catch(() => null),
    ]);
    return effectiveRules(policy, model, found?.riskTier ?? null);
  }

  private async allDeployments(asOf: Date | undefined): Promise<DeploymentRow[]> {
    const rows: DeploymentRow[] = [];
    let after: string | undefined;
    do {
      const listed = asOf
        ? await this.queries.execute<ListDeploymentsAsOfQuery, DeploymentListAsOf>(
            new ListDeploymentsAsOfQuery(asOf, { limit: PAGE, ...(after ? { after } : {}) }),
          )
        : await this.queries.execute<ListDeploymentsQuery, DeploymentList>(
            new ListDeploymentsQuery({ limit: PAGE, ...(after ? { after } : {}) }),
          );
      rows.push(...listed.items);
      after = listed.nextCursor ?? undefined;
    } while (after);
    return rows;
  }

  /**
   * Alerts (of one deployment, or all): now the open ones; time travelling, every alert raised by
   * then, whose status then `openAt` tells.
   */
  private async alertsAt(asOf: Date | undefined, deploymentId?: string): Promise<AlertView[]> {
    const alerts: AlertView[] = [];
    let after: string | undefined;
    do {
      const listed = await this.queries.execute<ListAlertsQuery, AlertPage>(
        new ListAlertsQuery({
          limit: ALERT_PAGE,
          ...(deploymentId ? { deployment: deploymentId } : !asOf ? { status: 'open' } : {}),
          ...(asOf ? { to: new Date(asOf.getTime() + 1).toISOString() } : {}),
          ...(after ? { after } : {}),
        }),
      );
      alerts.push(...listed.items);
      after = listed.nextCursor ?? undefined;
    } while (after);
    return alerts;
  }
}

/** Whether the alert was open at the instant (now: it is open). */
function openAt(alert: AlertView, asOf: Date | undefined): boolean {
  if (!asOf) return alert.status === 'open';
  if (new Date(alert.raisedAt).getTime() > asOf.getTime()) return false;
  return alert.resolvedAt === null || new Date(alert.resolvedAt).getTime() > asOf.getTime();
}

function statusBadge(status: string): Html {
  const kind = status === 'active' ? 'ok' : status === 'retired' ? '' : 'warn';
  return html`<span class="badge ${kind}">${status}</span>`;
}

function problemNotice(problem: ProblemDetails): Html {
  const fields = (problem as { errors?: Record<string, string[]> }).errors;
  return notice(
    'error',
    html`${problem.detail}
    ${
      fields
        ? html`<ul>
            ${Object.entries(fields).map(
              ([field, messages]) => html`<li><code>${field}</code>: ${messages.join('; ')}</li>`,
            )}
          </ul>`
        : ''
    }`,
  );
}

function servingSection(ctx: ConsoleContext, shown: Shown): Html {
  const d = shown.deployment;
  const serving = shown.serving.length
    ? html`<ul class="serving">
        ${shown.serving.map(
          (s) =>
            html`<li>
              <strong class="serving-version">${s.version}</strong>
              ${s.role === 'canary' ? 'canary' : 'stable'}, ${s.percent} % of traffic
            </li>`,
        )}
      </ul>`
    : html`<p>Nothing ${ctx.asOf ? 'was' : 'is'} serving.</p>`;
  return html`<section aria-labelledby="serving-heading">
    <h2 id="serving-heading">
      ${ctx.asOf ? html`Serving at ${instant(ctx.asOf)}` : 'Serving now'}
    </h2>
    <dl class="facts">
      <dt>Model</dt>
      <dd>${d.model}</dd>
      <dt>Environment</dt>
      <dd>${d.environment}</dd>
      <dt>Status</dt>
      <dd>${statusBadge(d.status)}</dd>
      <dt>Stable version</dt>
      <dd data-field="stable-version">${d.version ?? 'none'}</dd>
      <dt>Canary</dt>
      <dd>${d.canaryVersion ? `${d.canaryVersion} (${d.canaryPercent} %)` : 'none'}</dd>
      <dt>Last change</dt>
      <dd>${instant(d.updatedAt)} by ${d.deployedBy}</dd>
    </dl>
    ${serving}
  </section>`;
}

function actionsSection(ctx: ConsoleContext, shown: Shown): Html {
  const d = shown.deployment;
  const id = d.deploymentId;
  const promote =
    d.canaryVersion && ctx.may(PromoteDeploymentHttpController, 'promote')
      ? html`<form
          method="post"
          action="/console/deployments/${id}/promotion"
          data-write="promote"
          class="stack"
        >
          <input type="hidden" name="_csrf" value="${ctx.csrfToken}" />
          <p>Give the canary ${d.canaryVersion} all traffic.</p>
          <div><button type="submit">Promote canary ${d.canaryVersion}</button></div>
        </form>`
      : '';
  const rollback =
    d.status === 'active' && ctx.may(RollBackDeploymentHttpController, 'rollBack')
      ? html`<form
          method="post"
          action="/console/deployments/${id}/rollback"
          data-write="rollback"
          class="stack"
        >
          <input type="hidden" name="_csrf" value="${ctx.csrfToken}" />
          <p>
            ${
              d.canaryVersion
                ? `Drop the canary ${d.canaryVersion}; ${d.version ?? 'nothing'} keeps serving.`
                : `Take ${d.version} out and return to the version deployed before it.`
            }
          </p>
          <label for="rollback-reason">Reason (kept in the ledger; name no person)</label>
          <input id="rollback-reason" name="reason" required maxlength="2000" />
          <div><button type="submit" class="danger">Roll back</button></div>
        </form>`
      : '';
  if (!promote && !rollback) return html``;
  return html`<section aria-labelledby="actions-heading">
    <h2 id="actions-heading">Change what serves</h2>
    <div class="grid-2">${promote} ${rollback}</div>
  </section>`;
}

function periodSection(
  ctx: ConsoleContext,
  period: Period,
  deploymentId: string,
  view: DeploymentMonitoringView,
): Html {
  const options = [
    ...PRESETS.map((p) => ({ key: p.key, label: p.label })),
    { key: 'custom', label: 'Dates below' },
  ];
  return html`<section aria-labelledby="period-heading">
    <h2 id="period-heading">Monitoring</h2>
    <form
      method="get"
      action="/console/deployments/${deploymentId}"
      class="filters"
      aria-label="Period"
    >
      ${asOfField(ctx)}
      <div>
        <label for="period">Period</label>
        <select id="period" name="period">
          ${options.map(
            (o) =>
              html`<option value="${o.key}" ${o.key === period.preset ? html`selected` : ''}>
                ${o.label}
              </option>`,
          )}
        </select>
      </div>
      <div>
        <label for="period-from">From (UTC date)</label>
        <input id="period-from" name="from" type="date" value="${period.fromDate}" />
      </div>
      <div>
        <label for="period-to">To (UTC date, inclusive)</label>
        <input id="period-to" name="to" type="date" value="${period.toDate}" />
      </div>
      <div><button type="submit">Show</button></div>
    </form>
    <p data-field="period">
      Showing ${instant(view.from)} to ${instant(view.to)} in ${view.bucket} buckets (UTC); a batch
      or ground-truth record counts where its window starts.
    </p>
    ${
      period.truncated
        ? notice('info', 'The history is longer than 1000 days: the last 1000 days are shown.')
        : ''
    }
    ${
      period.cutAt
        ? notice(
            'info',
            html`Time travel: the charts end at ${instant(period.cutAt)}, the start of the
            ${period.bucket} holding the instant, so they hold only windows that started before it
            (including figures recorded later about those windows).`,
          )
        : ''
    }
  </section>`;
}

function historySection(
  history: DeploymentHistoryRow[],
  causes: RollbackCause[],
  alerts: AlertView[],
): Html {
  const causeOf = new Map(causes.map((c) => [c.eventId, c.causeAlertId]));
  const alertById = new Map(alerts.map((a) => [a.alertId, a]));
  const describe = (h: DeploymentHistoryRow): Html => {
    switch (h.eventType) {
      case 'ModelDeployed':
        return h.strategy === 'canary'
          ? html`Deployed ${h.version} as a ${h.canaryPercent} % canary`
          : html`Deployed ${h.version}`;
      case 'DeploymentPromoted':
        return html`Promoted ${h.version} to all traffic`;
      case 'DeploymentRolledBack':
        return html`Rolled back ${h.fromVersion} to
        ${h.toVersion ?? 'nothing'}${
          h.automatic ? html` <span class="badge warn">automatic</span>` : ''
        }`;
      case 'DeploymentRetired':
        return html`Retired ${h.version}`;
      default:
        return html`${h.eventType}`;
    }
  };
  const cause = (h: DeploymentHistoryRow): Html => {
    const alertId = causeOf.get(h.eventId);
    if (!alertId) return html`${h.reason ?? ''}`;
    const alert = alertById.get(alertId);
    return html`${h.reason ?? ''} <br />Cause:
      ${
        alert
          ? html`<a href="#alert-${alertId}">alert “${alert.summary}”</a>`
          : html`alert <code>${alertId}</code>`
      }`;
  };
  const rows = [...history].reverse().map(
    (h) =>
      html`<tr>
        <td>${instant(h.at)}</td>
        <td>${describe(h)}</td>
        <td>${h.actor}</td>
        <td>${cause(h)}</td>
      </tr>`,
  );
  return html`<section aria-labelledby="history-heading">
    <h2 id="history-heading">History</h2>
    ${
      history.length
        ? dataTable({
            label: 'History',
            columns: [{ label: 'When' }, { label: 'Change' }, { label: 'By' }, { label: 'Reason' }],
            rows,
          })
        : html`<p>No change recorded.</p>`
    }
  </section>`;
}

function alertsSection(ctx: ConsoleContext, alerts: AlertView[]): Html {
  const shown = alerts
    .map((a) => ({ alert: a, open: openAt(a, ctx.asOf) }))
    .sort((a, b) => Number(b.open) - Number(a.open));
  const mayResolve = ctx.may(ResolveAlertHttpController, 'resolve');
  const rows = shown.map(({ alert: a, open }) => {
    const fieldId = `resolution-${a.alertId}`;
    const action = open
      ? mayResolve
        ? html`<form
            method="post"
            action="/console/alerts/${a.alertId}/resolution"
            data-write="resolve"
            class="stack"
          >
            <input type="hidden" name="_csrf" value="${ctx.csrfToken}" />
            <label for="${fieldId}">Resolution</label>
            <input id="${fieldId}" name="resolution" required maxlength="2000" />
            <div><button type="submit">Resolve</button></div>
          </form>`
        : html`<span class="muted">—</span>`
      : html`${a.resolution ?? ''}${a.resolvedBy ? html` (${a.resolvedBy}, ${instant(a.resolvedAt)})` : ''}`;
    return html`<tr id="alert-${a.alertId}" data-alert="${a.alertId}">
      <td>${instant(a.raisedAt)}</td>
      <td>${a.severity}</td>
      <td>${a.kind}</td>
      <td>${a.summary}</td>
      <td>
        ${open ? html`<span class="badge bad">open</span>` : html`<span class="badge">resolved</span>`}
      </td>
      <td>${action}</td>
    </tr>`;
  });
  const openCount = shown.filter((s) => s.open).length;
  return html`<section aria-labelledby="alerts-heading">
    <h2 id="alerts-heading">Alerts</h2>
    <p data-field="open-alerts">
      ${openCount} open${ctx.asOf ? html` at ${instant(ctx.asOf)}` : ''}.
    </p>
    ${
      shown.length
        ? dataTable({
            label: 'Alerts',
            columns: [
              { label: 'Raised' },
              { label: 'Severity' },
              { label: 'Kind' },
              { label: 'Summary' },
              { label: 'Status' },
              { label: 'Resolution' },
            ],
            rows,
          })
        : html`<p>No alert ${ctx.asOf ? 'had been' : 'has been'} raised.</p>`
    }
  </section>`;
}
