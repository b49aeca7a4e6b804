import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import type { Actor } from '../../../ledger/event-log.port';
import { pageQuery } from '../../../ledger/queries/paging/listing';
import { NEXT_CURSOR, type PageQuery } from '../../../ledger/queries/paging/page-request';
import { APPROVAL_LISTING } from './list-approvals.request.dto';
import { ApprovalRecord, type ApprovalStatus, approvalView } from './approval.read-model';

export class ApprovalPage {
  @ApiProperty({
    type: [ApprovalRecord],
    description: 'In the requested sort (default: oldest request first)',
  })
  items!: ApprovalRecord[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

export class ListApprovalsQuery extends Query<ApprovalPage> {
  constructor(
    readonly filter: { status?: ApprovalStatus; model?: string; environment?: string },
    readonly caller: Actor,
    readonly page: PageQuery,
  ) {
    super();
  }
}

export class GetApprovalQuery extends Query<ApprovalRecord> {
  constructor(readonly id: string) {
    super();
  }
}

/** Roles that see every pending request without being able to decide any. */
const OVERSIGHT_ROLES = ['regulator', 'admin'];

@QueryHandler(ListApprovalsQuery)
export class ListApprovalsQueryHandler implements IQueryHandler<ListApprovalsQuery, ApprovalPage> {
  constructor(
    @InjectRepository(ApprovalRecord) private readonly approvals: Repository<ApprovalRecord>,
  ) {}

  async execute({ filter, caller, page }: ListApprovalsQuery): Promise<ApprovalPage> {
    const query = this.approvals.createQueryBuilder('a');
    if (filter.status) query.andWhere('a.status = :status', { status: filter.status });
    if (filter.model) query.andWhere('a.model = :model', { model: filter.model });
    if (filter.environment) {
      query.andWhere('a.environment = :environment', { environment: filter.environment });
    }
    if (filter.status === 'pending' && !caller.roles.some((r) => OVERSIGHT_ROLES.includes(r))) {
      // The inbox: stages the caller holds the role for and may decide under four eyes.
      if (caller.roles.length === 0) return { items: [], nextCursor: null };
      query
        .andWhere('a.currentRole IN (:...roles)', { roles: caller.roles })
        .andWhere(':sub NOT IN (a.registeredBy, a.trainedBy, a.requestedBy)', { sub: caller.sub })
        .andWhere('NOT (:sub = ANY (a.grantedBy))');
    }
    const listed = await pageQuery(APPROVAL_LISTING, page, query);
    return { ...listed, items: listed.items.map(approvalView) };
  }
}

@QueryHandler(GetApprovalQuery)
export class GetApprovalQueryHandler implements IQueryHandler<GetApprovalQuery, ApprovalRecord> {
  constructor(
    @InjectRepository(ApprovalRecord) private readonly approvals: Repository<ApprovalRecord>,
  ) {}

  async execute({ id }: GetApprovalQuery): Promise<ApprovalRecord> {
    const approval = await this.approvals.findOneBy({ id });
    if (!approval) throw new NotRecorded('approval', id);
    return approvalView(approval);
  }
}
