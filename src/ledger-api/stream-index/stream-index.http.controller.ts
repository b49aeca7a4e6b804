import { AllowEveryRole } from '../../auth/access.decorators';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiProblems } from '../../ledger/http/api-problems.decorator';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StreamIndexEntry } from '../../ledger/stream-index/stream-index.read-model';
import { GetStreamQuery, ListStreamsQuery, StreamIndexPage } from './stream-index.query-handler';
import { ListStreamsRequest, StreamParams } from './list-streams.request.dto';

@ApiTags('ledger')
@ApiProblems(400, 404, 503)
@ApiHeader({
  name: 'X-Ledger-Position',
  required: false,
  description:
    'Wait until every read model has passed this ledger position (at most READ_WAIT_TIMEOUT_MS, default 5 s; then 503 with Retry-After)',
})
@AllowEveryRole()
@Controller('ledger/streams')
export class StreamIndexHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Streams in the ledger, with event count and the end of each hash chain (read model)',
  })
  @ApiOkResponse({ type: StreamIndexPage })
  list(@Query() request: ListStreamsRequest): Promise<StreamIndexPage> {
    return this.queries.execute(new ListStreamsQuery(request.after, request.limit ?? 100));
  }

  @Get(':stream')
  @ApiOperation({ summary: 'One stream’s index entry (read model)' })
  @ApiOkResponse({ type: StreamIndexEntry })
  get(@Param() { stream }: StreamParams): Promise<StreamIndexEntry> {
    return this.queries.execute(new GetStreamQuery(stream));
  }
}
