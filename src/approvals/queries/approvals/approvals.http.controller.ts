import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole, CurrentActor } from '../../../auth/access.decorators';
import type { Actor } from '../../../ledger/event-log.port';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { ApprovalPath } from '../../approval-path.request.dto';
import { ApprovalRecord } from './approval.read-model';
import { ApprovalPage, GetApprovalQuery, ListApprovalsQuery } from './approvals.query-handler';
import { ListApprovalsRequest } from './list-approvals.request.dto';

@ApiTags('approvals')
@ApiProblems(400, 401, 404, 503)
@ApiHeader({
  name: 'X-Ledger-Position',
  required: false,
  description:
    'Wait until every read model has passed this ledger position (at most READ_WAIT_TIMEOUT_MS, default 5 s; then 503 with Retry-After)',
})
@AllowEveryRole()
@Controller('approvals')
export class ApprovalsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary:
      'Approval requests, oldest first. status=pending is the caller’s inbox: stages whose role the caller holds and may decide under four eyes (regulators and admins see all, read-only)',
  })
  @ApiOkResponse({ type: ApprovalPage })
  list(
    @Query() request: ListApprovalsRequest,
    @CurrentActor() caller: Actor,
  ): Promise<ApprovalPage> {
    const { status, model, environment, after, limit } = request;
    return this.queries.execute(
      new ListApprovalsQuery({ status, model, environment }, caller, after, limit ?? 100),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One approval request with its stages and evidence' })
  @ApiOkResponse({ type: ApprovalRecord })
  get(@Param() { id }: ApprovalPath): Promise<ApprovalRecord> {
    return this.queries.execute(new GetApprovalQuery(id));
  }
}
