import { AllowEveryRole } from '../../auth/access.decorators';
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiProblems } from '../../ledger/http/api-problems.decorator';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LedgerEventPage } from './list-ledger-events.query-handler';
import { ListLedgerEventsQuery } from './list-ledger-events.query';
import { ListLedgerEventsRequest } from './list-ledger-events.request.dto';

@ApiTags('ledger')
@ApiProblems(400, 404, 503)
@AllowEveryRole()
@Controller('ledger/events')
export class LedgerEventsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Page through the ledger in global order, or one stream in revision order',
  })
  @ApiOkResponse({ type: LedgerEventPage })
  @ApiHeader({
    name: 'X-Ledger-Position',
    required: false,
    description:
      'Wait until every read model has passed this ledger position (at most READ_WAIT_TIMEOUT_MS, default 5 s; then 503 with Retry-After)',
  })
  list(@Query() request: ListLedgerEventsRequest): Promise<LedgerEventPage> {
    return this.queries.execute(
      new ListLedgerEventsQuery(request.stream, request.after, request.limit ?? 100),
    );
  }
}
