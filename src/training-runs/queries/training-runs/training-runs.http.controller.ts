import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { TrainingRunPath } from '../../training-run-path.request.dto';
import { ListTrainingRunsRequest } from './list-training-runs.request.dto';
import { GetTrainingRunQuery, ListTrainingRunsQuery } from './training-runs.query-handler';
import { TrainingRunList, TrainingRunView } from './training-run.view';

@ApiTags('training-runs')
@ApiHeader({
  name: 'X-Ledger-Position',
  required: false,
  description:
    'Wait until every read model has passed this ledger position (at most READ_WAIT_TIMEOUT_MS, default 5 s; then 503 with Retry-After)',
})
@AllowEveryRole()
@Controller('training-runs')
export class TrainingRunsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Training runs, newest first, optionally of one model (read model)' })
  @ApiOkResponse({ type: TrainingRunList })
  @ApiProblems(400, 401, 503)
  list(@Query() request: ListTrainingRunsRequest): Promise<TrainingRunList> {
    return this.queries.execute(new ListTrainingRunsQuery(request));
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One training run: dataset versions with content hashes, code, hyperparameters, outcome (read model)',
  })
  @ApiOkResponse({ type: TrainingRunView })
  @ApiProblems(400, 401, 404, 503)
  get(@Param() path: TrainingRunPath): Promise<TrainingRunView> {
    return this.queries.execute(new GetTrainingRunQuery(path.id));
  }
}
