import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { ApprovalRecord, type ApprovalStatus } from '../approvals/approval.read-model';
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
      'Requests made by then, each with its status and stage decisions then; oldest request first',
  })
  items!: ApprovalRecord[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ListApprovalsAsOfQuery extends Query<ApprovalPageAsOf> {
  constructor(
    readonly asOf: Date,
    readonly filter: { status?: ApprovalStatus; model?: string; environment?: string },
    readonly after: string | undefined,
    readonly limit: number,
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

/** Each request's newest snapshot at or before $1: requests made later have none. */
const AT_INSTANT = `SELECT DISTINCT ON (approval_id) ${SNAPSHOT_COLUMNS} FROM approval_timeline
  WHERE at <= $1 ORDER BY approval_id, revision DESC`;

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

  async execute({ asOf, filter, after, limit }: ListApprovalsAsOfQuery): Promise<ApprovalPageAsOf> {
    const parameters: unknown[] = [asOf];
    const where = (condition: (placeholder: string) => string, value: string | undefined) => {
      if (value === undefined) return [];
      parameters.push(value);
      return [condition(`$${parameters.length}`)];
    };
    const conditions = [
      ...where((p) => `status = ${p}`, filter.status),
      ...where((p) => `model = ${p}`, filter.model),
      ...where((p) => `environment = ${p}`, filter.environment),
      ...where(
        (p) => `("requestedAt", "approvalId") > (SELECT c."requestedAt", c."approvalId"
          FROM snapshot c WHERE c."approvalId" = ${p}::uuid)`,
        after,
      ),
    ];
    parameters.push(limit);
    const rows = (await this.dataSource.query(
      `WITH snapshot AS (${AT_INSTANT})
       SELECT * FROM snapshot
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY "requestedAt", "approvalId" LIMIT $${parameters.length}`,
      parameters,
    )) as SnapshotRow[];
    const items = rows.map(approvalRecordOf);
    return {
      asOf: asOf.toISOString(),
      items,
      nextCursor: items.length === limit ? items[items.length - 1].id : null,
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
    return { ...approvalRecordOf(row), asOf: asOf.toISOString() };
  }
}
