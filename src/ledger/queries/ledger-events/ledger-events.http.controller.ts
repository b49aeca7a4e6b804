import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiProblems } from '../../http/api-problems.decorator';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LedgerEventPage } from './list-ledger-events.query-handler';
import { ListLedgerEventsQuery } from './list-ledger-events.query';
import { ListLedgerEventsRequest } from './list-ledger-events.request.dto';

@ApiTags('ledger')
@ApiProblems(400, 404, 503)
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
    description: 'Wait (≤ 5 s) until read models have passed this position',
  })
  list(@Query() request: ListLedgerEventsRequest): Promise<LedgerEventPage> {
    return this.queries.execute(
      new ListLedgerEventsQuery(request.stream, request.after, request.limit ?? 100),
    );
  }
}
