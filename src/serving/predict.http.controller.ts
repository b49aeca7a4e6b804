import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/access.decorators';
import { DeploymentPath } from '../deployments/deployment-path.request.dto';
import { ApiServing } from './api-serving.decorator';
import { PredictRequest, PredictResponse } from './predict.request.dto';
import { PredictionService } from './prediction-service';

@ApiTags('serving')
@Controller('deployments')
export class PredictHttpController {
  constructor(private readonly predictions: PredictionService) {}

  @Post(':id/predict')
  @HttpCode(200)
  @Allow('scoring', 'pipeline')
  @ApiOperation({
    summary:
      'Score 1 to 1000 rows with what the deployment serves now: each row gets its score, decision at the threshold, label and a receipt id',
    description:
      'The version comes from the ledger on every request (a canary takes the request ids whose SHA-256 falls in its share); the threshold, features and labels from its latest passing evaluation by Attest in this environment, else threshold 0.5 and the inputs by name. Receipts are stored before the answer. An unknown, missing or ill-typed feature is a 400 naming rows.<i>.<feature>; a retired or emptied deployment a 409; nothing is recorded for a refused request.',
  })
  @ApiOkResponse({ type: PredictResponse })
  @ApiServing()
  predict(@Param() { id }: DeploymentPath, @Body() body: PredictRequest): Promise<PredictResponse> {
    return this.predictions.predict({
      deploymentId: id,
      requestId: body.requestId,
      subjectRef: body.subjectRef ?? null,
      rows: body.rows,
    });
  }
}
