import { Controller, Get, Header, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { RequestApprovalHttpController } from '../../approvals/commands/request-approval/request-approval.http.controller';
import type { ApprovalRecord } from '../../approvals/queries/approvals/approval.read-model';
import { ListApprovalsAsOfQuery } from '../../approvals/queries/approvals-as-of/approvals-as-of.query-handler';
import { ListApprovalsQuery } from '../../approvals/queries/approvals/approvals.query-handler';
import { NotRecorded } from '../../ledger/commands/rule-errors';
import { GetLineageQuery } from '../../lineage/queries/lineage/lineage.query-handler';
import { ModelPath, ModelVersionPath } from '../../model-registry/model-path.request.dto';
import { ListModelInventoryQuery } from '../../model-registry/queries/model-inventory/model-inventory.query-handler';
import { GetModelVersionAsOfQuery } from '../../model-registry/queries/model-registry-as-of/model-registry-as-of.query-handler';
import { GetModelVersionQuery } from '../../model-registry/queries/model-registry/model-registry.query-handler';
import type { ModelVersionView } from '../../model-registry/queries/model-registry/model.view';
import type { AlertView } from '../../monitoring/queries/alerts/alert.view';
import { ListAlertsQuery } from '../../monitoring/queries/alerts/alerts.query-handler';
import type { ListAlertsRequest } from '../../monitoring/queries/alerts/list-alerts.request.dto';
import { ConsoleController } from '../console-access';
import { Console, type ConsoleContext } from '../console-context';
import { html } from '../html';
import { page } from '../layout';
import { inventoryFilter } from './inventory-filter.request';
import { inventoryBody, modelBody, openAlertsByModel } from './inventory.pages';
import { versionBody } from './model-version.page';

/** Alerts read per page: open ones, newest first (README, "Console"). */
const ALERT_LIMIT = 1000;
/** Approval requests of one model read for a version's timeline. */
const APPROVAL_LIMIT = 1000;
/** Nodes of a version's lineage graph drawn at most. */
const LINEAGE_NODES = 200;

/**
 * The inventory, a model's page and a model version's page (README, "Console"): each a fixed
 * number of the API's own queries, joined in memory, as of `ctx.asOf` where the capability has
 * an as-of read.
 */
@ConsoleController()
@Controller('console')
export class InventoryConsoleController {
  constructor(private readonly queries: QueryBus) {}

  /** Open alerts now (monitoring has no as-of view of alerts: the pages say so). */
  private async openAlerts(): Promise<{ items: AlertView[]; more: boolean }> {
    const page = await this.queries.execute(
      new ListAlertsQuery({ status: 'open', limit: ALERT_LIMIT } as ListAlertsRequest),
    );
    return { items: page.items, more: page.nextCursor !== null };
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async inventory(@Console() ctx: ConsoleContext): Promise<string> {
    const filter = await inventoryFilter(ctx.query);
    const [inventory, alerts] = await Promise.all([
      this.queries.execute(new ListModelInventoryQuery(ctx.asOf ?? null)),
      this.openAlerts(),
    ]);
    const body = inventoryBody(
      ctx,
      inventory,
      { byModel: openAlertsByModel(alerts.items), more: alerts.more },
      filter,
    );
    return page(ctx, {
      title: 'Inventory',
      section: 'inventory',
      body: html`<div class="inv">${body}</div>`,
    }).text;
  }

  @Get('models/:name')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async model(@Console() ctx: ConsoleContext, @Param() path: ModelPath): Promise<string> {
    const [inventory, alerts] = await Promise.all([
      this.queries.execute(new ListModelInventoryQuery(ctx.asOf ?? null, path.name)),
      this.openAlerts(),
    ]);
    const model = inventory.models.find((m) => m.name === path.name);
    if (!model) throw new NotRecorded('model', notFoundId(path.name, ctx.asOf));
    const body = modelBody(
      ctx,
      model,
      alerts.items.filter((alert) => alert.model === model.name),
    );
    return page(ctx, {
      title: `Model ${model.name}`,
      section: 'inventory',
      body: html`<div class="inv">${body}</div>`,
    }).text;
  }

  @Get('models/:name/versions/:version')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async version(@Console() ctx: ConsoleContext, @Param() path: ModelVersionPath): Promise<string> {
    const { name, version } = path;
    const view: ModelVersionView = await this.queries.execute(
      ctx.asOf
        ? new GetModelVersionAsOfQuery(name, version, ctx.asOf)
        : new GetModelVersionQuery(name, version),
    );
    const asOf = ctx.asOf ? ctx.asOf.toISOString() : null;
    const [lineage, approvals, alerts] = await Promise.all([
      this.queries.execute(
        new GetLineageQuery(
          { kind: 'model-version', id: `${name}@${version}` },
          4,
          'both',
          asOf,
          LINEAGE_NODES,
          'summary',
        ),
      ),
      this.approvalsOf(ctx, name),
      this.openAlerts(),
    ]);
    const servingHere = new Set(view.deployments.map((d) => d.deploymentId));
    const body = versionBody(ctx, {
      view,
      lineage,
      approvals: approvals
        .filter((approval) => approval.version === version)
        .sort((a, b) => new Date(a.requestedAt).getTime() - new Date(b.requestedAt).getTime()),
      alerts: alerts.items.filter(
        (alert) =>
          alert.model === name &&
          (alert.cause ? alert.cause.version === version : servingHere.has(alert.deploymentId)),
      ),
      mayRequestApproval: ctx.may(RequestApprovalHttpController, 'request'),
    });
    return page(ctx, {
      title: `${name} ${version}`,
      section: 'inventory',
      body: html`<div class="inv">${body}</div>`,
    }).text;
  }

  /** Every approval request of the model, now or as they stood at `ctx.asOf`. */
  private async approvalsOf(ctx: ConsoleContext, model: string): Promise<ApprovalRecord[]> {
    const listed = ctx.asOf
      ? await this.queries.execute(
          new ListApprovalsAsOfQuery(ctx.asOf, { model }, { limit: APPROVAL_LIMIT }),
        )
      : await this.queries.execute(
          new ListApprovalsQuery({ model }, ctx.actor, { limit: APPROVAL_LIMIT }),
        );
    return listed.items;
  }
}

const notFoundId = (name: string, asOf: Date | undefined) =>
  asOf ? `${name} as of ${asOf.toISOString()}` : name;
