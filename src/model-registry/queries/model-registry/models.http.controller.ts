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
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { AsOfRequest } from '../../../ledger/queries/as-of.request.dto';
import { ModelPath, ModelVersionPath } from '../../model-path.request.dto';
import {
  GetModelAsOfQuery,
  GetModelVersionAsOfQuery,
  ModelVersionViewAsOf,
  ModelViewAsOf,
} from '../model-registry-as-of/model-registry-as-of.query-handler';
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
    return this.queries.execute(new ListModelsQuery(request));
  }

  @Get(':name')
  @ApiOperation({
    summary:
      'One model: its versions with status, and its deployment per environment; with asOf, as it stood at that instant (404 if not yet registered)',
  })
  @ApiExtraModels(ModelView, ModelViewAsOf)
  @ApiOkResponse({
    description: 'ModelView; ModelViewAsOf when asOf is given',
    schema: { anyOf: [{ $ref: getSchemaPath(ModelView) }, { $ref: getSchemaPath(ModelViewAsOf) }] },
  })
  @ApiProblems(400, 401, 404, 503)
  get(
    @Param() path: ModelPath,
    @Query() { asOf }: AsOfRequest,
  ): Promise<ModelView | ModelViewAsOf> {
    if (asOf !== undefined)
      return this.queries.execute(new GetModelAsOfQuery(path.name, new Date(asOf)));
    return this.queries.execute(new GetModelQuery(path.name));
  }

  @Get(':name/versions/:version')
  @ApiOperation({
    summary:
      'One model version: current card, lineage (run, datasets, artifact), evaluations, approvals, where it serves, status; with asOf, the card, evaluations, approvals, deployments and status at that instant (404 if not yet registered)',
  })
  @ApiExtraModels(ModelVersionView, ModelVersionViewAsOf)
  @ApiOkResponse({
    description: 'ModelVersionView; ModelVersionViewAsOf when asOf is given',
    schema: {
      anyOf: [
        { $ref: getSchemaPath(ModelVersionView) },
        { $ref: getSchemaPath(ModelVersionViewAsOf) },
      ],
    },
  })
  @ApiProblems(400, 401, 404, 503)
  getVersion(
    @Param() path: ModelVersionPath,
    @Query() { asOf }: AsOfRequest,
  ): Promise<ModelVersionView | ModelVersionViewAsOf> {
    if (asOf !== undefined) {
      return this.queries.execute(
        new GetModelVersionAsOfQuery(path.name, path.version, new Date(asOf)),
      );
    }
    return this.queries.execute(new GetModelVersionQuery(path.name, path.version));
  }
}
