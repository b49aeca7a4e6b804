import { RecordsPersonalDataAccess } from '../../../access-log/personal-data-access';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { DeletionRequestPath } from '../../commands/deletion-request.request.dto';
import { DeletionRequestPage, DeletionRequestView } from './deletion-request.view';
import {
  GetDeletionRequestQuery,
  ListDeletionRequestsQuery,
} from './deletion-requests.query-handler';
import { ListDeletionRequestsRequest } from './list-deletion-requests.request.dto';

/** docs/design.md §7 "deletion requests": compliance officers and admins work them, regulators read. */
@ApiTags('privacy')
@ApiProblems(400, 401, 403, 503)
@ApiHeader({
  name: 'X-Ledger-Position',
  required: false,
  description:
    'Wait until every read model has passed this ledger position (at most READ_WAIT_TIMEOUT_MS, default 5 s; then 503 with Retry-After)',
})
@Allow('compliance-officer', 'admin', 'regulator')
@Controller('privacy/deletion-requests')
export class DeletionRequestsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary:
      'Deletion requests (default: by due date), with days left and overdue as of today (read model)',
  })
  @ApiOkResponse({ type: DeletionRequestPage })
  list(@Query() request: ListDeletionRequestsRequest): Promise<DeletionRequestPage> {
    const { status, overdue, ...page } = request;
    return this.queries.execute(
      new ListDeletionRequestsQuery(
        { status, overdue: overdue === undefined ? undefined : overdue === 'true' },
        page,
      ),
    );
  }

  @Get(':id')
  @RecordsPersonalDataAccess('deletion-request', (body) => [(body as DeletionRequestView).id])
  @ApiOperation({
    summary: 'One deletion request (read model); each read is recorded as PersonalDataAccessed',
  })
  @ApiOkResponse({ type: DeletionRequestView })
  @ApiProblems(404)
  get(@Param() { id }: DeletionRequestPath): Promise<DeletionRequestView> {
    return this.queries.execute(new GetDeletionRequestQuery(id));
  }
}
