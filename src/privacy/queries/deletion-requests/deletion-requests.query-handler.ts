import { Inject } from '@nestjs/common';
import { CLOCK, type Clock } from '../../../ledger/clock';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { DeletionRequestRow, type DeletionRequestStatus } from './deletion-request.read-model';
import { DeletionRequestPage, DeletionRequestView, toView } from './deletion-request.view';
import { pageQuery } from '../../../ledger/queries/paging/listing';
import type { PageQuery } from '../../../ledger/queries/paging/page-request';
import { DELETION_REQUEST_LISTING } from './list-deletion-requests.request.dto';

export class ListDeletionRequestsQuery extends Query<DeletionRequestPage> {
  constructor(
    readonly filter: { status?: DeletionRequestStatus; overdue?: boolean },
    readonly page: PageQuery,
  ) {
    super();
  }
}

export class GetDeletionRequestQuery extends Query<DeletionRequestView> {
  constructor(readonly id: string) {
    super();
  }
}

/** Deadlines are measured against the UTC date when the query runs, not when projected. */
function today(clock: Clock): string {
  return clock().toISOString().slice(0, 10);
}

@QueryHandler(ListDeletionRequestsQuery)
export class ListDeletionRequestsQueryHandler implements IQueryHandler<
  ListDeletionRequestsQuery,
  DeletionRequestPage
> {
  constructor(
    @InjectRepository(DeletionRequestRow)
    private readonly requests: Repository<DeletionRequestRow>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ filter, page }: ListDeletionRequestsQuery): Promise<DeletionRequestPage> {
    const date = today(this.clock);
    const rows = this.requests.createQueryBuilder('r');
    if (filter.status) rows.andWhere('r.status = :status', { status: filter.status });
    if (filter.overdue !== undefined) {
      const overdue = `(r.status <> 'fulfilled' AND r.dueOn < CAST(:today AS date))`;
      rows.andWhere(filter.overdue ? overdue : `NOT ${overdue}`, { today: date });
    }
    const found = await pageQuery(DELETION_REQUEST_LISTING, page, rows);
    return {
      items: found.items.map((row) => toView(row, date)),
      nextCursor: found.nextCursor,
      today: date,
    };
  }
}

@QueryHandler(GetDeletionRequestQuery)
export class GetDeletionRequestQueryHandler implements IQueryHandler<
  GetDeletionRequestQuery,
  DeletionRequestView
> {
  constructor(
    @InjectRepository(DeletionRequestRow)
    private readonly requests: Repository<DeletionRequestRow>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ id }: GetDeletionRequestQuery): Promise<DeletionRequestView> {
    const row = await this.requests.findOneBy({ id });
    if (!row) throw new NotRecorded('deletion request', id);
    return toView(row, today(this.clock));
  }
}
