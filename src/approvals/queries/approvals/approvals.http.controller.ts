import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { AllowEveryRole, CurrentActor } from '../../../auth/access.decorators';
import type { Actor } from '../../../ledger/event-log.port';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { AsOfRequest } from '../../../ledger/queries/as-of.request.dto';
import { ApprovalPath } from '../../approval-path.request.dto';
import {
  ApprovalAsOf,
  ApprovalPageAsOf,
  GetApprovalAsOfQuery,
  ListApprovalsAsOfQuery,
} from '../approvals-as-of/approvals-as-of.query-handler';
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
  @ApiExtraModels(ApprovalPage, ApprovalPageAsOf)
  @ApiOkResponse({
    description: 'ApprovalPage; ApprovalPageAsOf when asOf is given',
    schema: {
      anyOf: [{ $ref: getSchemaPath(ApprovalPage) }, { $ref: getSchemaPath(ApprovalPageAsOf) }],
    },
  })
  list(
    @Query() request: ListApprovalsRequest,
    @CurrentActor() caller: Actor,
  ): Promise<ApprovalPage | ApprovalPageAsOf> {
    const { status, model, environment, asOf, ...page } = request;
    if (asOf !== undefined) {
      return this.queries.execute(
        new ListApprovalsAsOfQuery(new Date(asOf), { status, model, environment }, page),
      );
    }
    return this.queries.execute(
      new ListApprovalsQuery({ status, model, environment }, caller, page),
    );
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One approval request with its stages and evidence; with asOf, its status and stage decisions at that instant (404 if not yet requested)',
  })
  @ApiExtraModels(ApprovalRecord, ApprovalAsOf)
  @ApiOkResponse({
    description: 'ApprovalRecord; ApprovalAsOf when asOf is given',
    schema: {
      anyOf: [{ $ref: getSchemaPath(ApprovalRecord) }, { $ref: getSchemaPath(ApprovalAsOf) }],
    },
  })
  get(
    @Param() { id }: ApprovalPath,
    @Query() { asOf }: AsOfRequest,
  ): Promise<ApprovalRecord | ApprovalAsOf> {
    if (asOf !== undefined)
      return this.queries.execute(new GetApprovalAsOfQuery(id, new Date(asOf)));
    return this.queries.execute(new GetApprovalQuery(id));
  }
}
