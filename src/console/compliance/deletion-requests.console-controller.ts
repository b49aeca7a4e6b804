import { Controller, Get, Header } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Role } from '../../auth/roles';
import type {
  DeletionRequestPage,
  DeletionRequestView,
} from '../../privacy/queries/deletion-requests/deletion-request.view';
import { DeletionRequestsHttpController } from '../../privacy/queries/deletion-requests/deletion-requests.http.controller';
import { ListDeletionRequestsQuery } from '../../privacy/queries/deletion-requests/deletion-requests.query-handler';
import {
  DELETION_REQUEST_STATUSES,
  ListDeletionRequestsRequest,
} from '../../privacy/queries/deletion-requests/list-deletion-requests.request.dto';
import { ConsoleController, ConsoleRoles } from '../console-access';
import { Console, type ConsoleContext, apiRoles } from '../console-context';
import { Html, html } from '../html';
import { asOfField, instant, notice, page } from '../layout';
import { cellTable, day, queryAs } from './compliance-html';

/**
 * Where a request stands against its due date, from the privacy capability's own count of the
 * days left (`daysLeft`, negative when overdue; null once fulfilled): no second deadline rule.
 */
export function deadline(request: Pick<DeletionRequestView, 'daysLeft' | 'overdue'>): Html {
  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  if (request.daysLeft === null) return html`<span class="muted">fulfilled</span>`;
  if (request.overdue)
    return html`<span class="deadline-overdue">overdue by ${days(-request.daysLeft)}</span>`;
  if (request.daysLeft === 0) return html`due today`;
  return html`${days(request.daysLeft)} left`;
}

/**
 * The deletion requests (README, "Console"): open to exactly the roles that read them through
 * the API (GET /privacy/deletion-requests), with the days left until each is due or how long
 * it is overdue. The privacy read model keeps no history, so the page shows them as of now.
 */
@ConsoleController()
@Controller('console/compliance/deletion-requests')
export class DeletionRequestsConsoleController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ConsoleRoles(...(apiRoles(DeletionRequestsHttpController, 'list') as Role[]))
  @Header('Content-Type', 'text/html; charset=utf-8')
  async list(@Console() ctx: ConsoleContext): Promise<string> {
    const { status, overdue, ...paging } = await queryAs(ctx, ListDeletionRequestsRequest);
    // As GET /privacy/deletion-requests builds its query.
    const found: DeletionRequestPage = await this.queries.execute(
      new ListDeletionRequestsQuery(
        { status, overdue: overdue === undefined ? undefined : overdue === 'true' },
        paging,
      ),
    );
    const filters = { status, overdue, sort: paging.sort, limit: paging.limit };
    const option = (value: string, label: string, current: string | undefined) =>
      html`<option value="${value}" ${current === value ? html`selected` : ''}>${label}</option>`;
    const now = html`Deletion requests are shown as they stand now (the privacy records keep no
    history to travel back through); days are counted from today, ${day(found.today)} (UTC).`;
    return page(ctx, {
      title: 'Deletion requests',
      section: 'compliance',
      body: html`<p><a href="${ctx.href('/console/compliance')}">Compliance</a></p>
        ${ctx.asOf ? notice('warning', now) : html`<p>${now}</p>`}
        <form class="filters" method="get" action="${ctx.path}" aria-label="Filter requests">
          ${asOfField(ctx)}
          <div>
            <label for="status">Status</label>
            <select id="status" name="status">
              ${option('', 'any', status)}
              ${DELETION_REQUEST_STATUSES.map((s) => option(s, s, status))}
            </select>
          </div>
          <div>
            <label for="overdue">Overdue</label>
            <select id="overdue" name="overdue">
              ${option('', 'either', overdue)} ${option('true', 'overdue only', overdue)}
              ${option('false', 'not overdue', overdue)}
            </select>
          </div>
          <button type="submit">Show requests</button>
        </form>
        ${
          found.items.length === 0
            ? notice('info', 'No deletion request matches.')
            : cellTable(
                'Deletion requests',
                [
                  { label: 'Request' },
                  { label: 'Received' },
                  { label: 'Due' },
                  { label: 'Status' },
                  { label: 'Days until due' },
                  { label: 'Affected (datasets, models, deployments)' },
                  { label: 'Channel' },
                  { label: 'Requested by' },
                ],
                found.items.map((r) => [
                  html`<span class="mono">${r.id}</span>`,
                  day(r.receivedOn),
                  day(r.dueOn),
                  r.status === 'fulfilled' ? html`fulfilled ${instant(r.fulfilledAt)}` : r.status,
                  deadline(r),
                  r.affected
                    ? `${r.affected.datasetVersions.length}, ${r.affected.models.length}, ${r.affected.deployments.length}`
                    : 'not yet assessed',
                  r.channel ?? '—',
                  r.requestedBy,
                ]),
              )
        }
        ${
          found.nextCursor
            ? html`<p>
                <a href="${ctx.href(ctx.path, { ...filters, after: found.nextCursor })}"
                  >Next page</a
                >
              </p>`
            : ''
        }`,
    }).text;
  }
}
