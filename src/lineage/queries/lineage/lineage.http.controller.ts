import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import { GetLineageQuery } from './lineage.query-handler';
import {
  DEFAULT_DEPTH,
  DEFAULT_NODE_LIMIT,
  LineagePath,
  LineageRequest,
} from './lineage.request.dto';
import { LineageGraphView } from './lineage.view';

@ApiTags('lineage')
@AllowEveryRole()
@Controller('lineage')
export class LineageHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':kind/:id')
  @ApiOperation({
    summary:
      'Where a node came from and where it went: dataset versions → training runs → model versions → deployments → prediction batches',
    description:
      'A breadth-first walk from the node, bounded by `depth`, upstream, downstream or both, each node once. Prediction batches are summarised on the nodes that scored them unless `batches=each`. With `asOf`, the graph as it was at that instant, from the recorded history (occurredAt): later nodes, edges and fact changes are left out, and a node recorded only later is 404.',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: LineageGraphView })
  get(@Param() path: LineagePath, @Query() request: LineageRequest): Promise<LineageGraphView> {
    return this.queries.execute(
      new GetLineageQuery(
        { kind: path.kind, id: path.id },
        request.depth ?? DEFAULT_DEPTH,
        request.direction ?? 'both',
        request.asOf === undefined ? null : new Date(request.asOf).toISOString(),
        request.limit ?? DEFAULT_NODE_LIMIT,
        request.batches ?? 'summary',
      ),
    );
  }
}
