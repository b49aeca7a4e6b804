import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { ModelPath, ModelVersionPath } from '../../model-path.request.dto';
import { ListModelsRequest } from './list-models.request.dto';
import {
  GetModelQuery,
  GetModelVersionQuery,
  ListModelsQuery,
} from './model-registry.query-handler';
import { ModelListView, ModelVersionView, ModelView } from './model.view';

@ApiTags('models')
@ApiHeader({
  name: 'X-Ledger-Position',
  required: false,
  description:
    'Wait until every read model has passed this ledger position (at most READ_WAIT_TIMEOUT_MS, default 5 s; then 503 with Retry-After)',
})
@AllowEveryRole()
@Controller('models')
export class ModelsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Registered models with their latest version, owner, risk tier and decision class',
  })
  @ApiOkResponse({ type: ModelListView })
  @ApiProblems(400, 401, 503)
  list(@Query() request: ListModelsRequest): Promise<ModelListView> {
    return this.queries.execute(new ListModelsQuery(request.after, request.limit ?? 100));
  }

  @Get(':name')
  @ApiOperation({
    summary: 'One model: its versions with status, and its deployment per environment',
  })
  @ApiOkResponse({ type: ModelView })
  @ApiProblems(400, 401, 404, 503)
  get(@Param() path: ModelPath): Promise<ModelView> {
    return this.queries.execute(new GetModelQuery(path.name));
  }

  @Get(':name/versions/:version')
  @ApiOperation({
    summary:
      'One model version: current card, lineage (run, datasets, artifact), evaluations, approvals, where it serves, status',
  })
  @ApiOkResponse({ type: ModelVersionView })
  @ApiProblems(400, 401, 404, 503)
  getVersion(@Param() path: ModelVersionPath): Promise<ModelVersionView> {
    return this.queries.execute(new GetModelVersionQuery(path.name, path.version));
  }
}
