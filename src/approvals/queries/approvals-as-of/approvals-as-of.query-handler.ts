import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { pageSql, whereAll } from '../../../ledger/queries/paging/listing';
import { NEXT_CURSOR, type PageQuery } from '../../../ledger/queries/paging/page-request';
import { APPROVAL_SNAPSHOT_LISTING } from '../approvals/list-approvals.request.dto';
import {
  ApprovalRecord,
  type ApprovalStatus,
  approvalView,
} from '../approvals/approval.read-model';
import {
  SNAPSHOT_COLUMNS,
  type SnapshotRow,
  approvalRecordOf,
} from './approval-timeline.read-model';

export class ApprovalAsOf extends ApprovalRecord {
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The instant this request is shown as of',
  })
  asOf!: string;
}

export class ApprovalPageAsOf {
  @ApiProperty({ type: String, format: 'date-time', example: '2026-03-01T00:00:00.000Z' })
  asOf!: string;
  @ApiProperty({
    type: [ApprovalRecord],
    description:
      'Requests made by then, each with its status and stage decisions then; in the requested sort (default: oldest request first)',
  })
  items!: ApprovalRecord[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

export class ListApprovalsAsOfQuery extends Query<ApprovalPageAsOf> {
  constructor(
    readonly asOf: Date,
    readonly filter: { status?: ApprovalStatus; model?: string; environment?: string },
    readonly page: PageQuery,
  ) {
    super();
  }
}

export class GetApprovalAsOfQuery extends Query<ApprovalAsOf> {
  constructor(
    readonly id: string,
    readonly asOf: Date,
  ) {
    super();
  }
}

/** Each request's newest snapshot at or before the instant: requests made later have none. */
const atInstant = (instant: string) => `SELECT DISTINCT ON (approval_id) ${SNAPSHOT_COLUMNS}
  FROM approval_timeline WHERE at <= ${instant} ORDER BY approval_id, revision DESC`;

/**
 * Approval requests as they stood at an instant. Unlike the current inbox, status=pending here
 * lists every request pending then: a question about the record, not about what the caller may
 * decide now.
 */
@QueryHandler(ListApprovalsAsOfQuery)
export class ListApprovalsAsOfQueryHandler implements IQueryHandler<
  ListApprovalsAsOfQuery,
  ApprovalPageAsOf
> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async execute({ asOf, filter, page }: ListApprovalsAsOfQuery): Promise<ApprovalPageAsOf> {
    const snapshots = await pageSql<SnapshotRow>(
      APPROVAL_SNAPSHOT_LISTING,
      page,
      (sql, parameters) => this.dataSource.query(sql, parameters),
      (bind, clauses) => {
        const instant = bind(asOf);
        const conditions = [...clauses.where];
        if (filter.status) conditions.push(`status = ${bind(filter.status)}`);
        if (filter.model) conditions.push(`model = ${bind(filter.model)}`);
        if (filter.environment) conditions.push(`environment = ${bind(filter.environment)}`);
        return `WITH snapshot AS (${atInstant(instant)})
          SELECT * FROM snapshot ${whereAll(conditions)}
          ORDER BY ${clauses.orderBy} LIMIT ${clauses.limit}`;
      },
    );
    return {
      asOf: asOf.toISOString(),
      items: snapshots.items.map((row) => approvalView(approvalRecordOf(row))),
      nextCursor: snapshots.nextCursor,
    };
  }
}

@QueryHandler(GetApprovalAsOfQuery)
export class GetApprovalAsOfQueryHandler implements IQueryHandler<
  GetApprovalAsOfQuery,
  ApprovalAsOf
> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async execute({ id, asOf }: GetApprovalAsOfQuery): Promise<ApprovalAsOf> {
    const [row] = (await this.dataSource.query(
      `SELECT ${SNAPSHOT_COLUMNS} FROM approval_timeline
       WHERE approval_id = $1 AND at <= $2 ORDER BY revision DESC LIMIT 1`,
      [id, asOf],
    )) as SnapshotRow[];
    if (!row) throw new NotRecorded('approval', `${id} as of ${asOf.toISOString()}`);
    return { ...approvalView(approvalRecordOf(row)), asOf: asOf.toISOString() };
  }
}
