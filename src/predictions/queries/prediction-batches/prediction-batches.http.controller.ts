import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { DeploymentPath } from '../../../deployments/deployment-path.request.dto';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import {
  ListGroundTruthRequest,
  ListPredictionBatchesRequest,
} from './list-prediction-batches.request.dto';
import {
  GroundTruthList,
  ListGroundTruthQuery,
  ListPredictionBatchesQuery,
  PredictionBatchList,
} from './prediction-batches.query-handler';

@ApiTags('predictions')
@AllowEveryRole()
@Controller('deployments')
export class PredictionBatchesHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':id/prediction-batches')
  @ApiOperation({
    summary: 'Prediction batch summaries of a deployment, newest window first by default',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: PredictionBatchList })
  batches(
    @Param() { id }: DeploymentPath,
    @Query() request: ListPredictionBatchesRequest,
  ): Promise<PredictionBatchList> {
    return this.queries.execute(new ListPredictionBatchesQuery(id, request));
  }

  @Get(':id/ground-truth')
  @ApiOperation({
    summary: 'Ground truth recorded for a deployment, newest window first by default',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: GroundTruthList })
  groundTruth(
    @Param() { id }: DeploymentPath,
    @Query() request: ListGroundTruthRequest,
  ): Promise<GroundTruthList> {
    return this.queries.execute(new ListGroundTruthQuery(id, request));
  }
}
