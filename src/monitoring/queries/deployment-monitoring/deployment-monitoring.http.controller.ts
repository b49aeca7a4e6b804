import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { DeploymentPath } from '../../../deployments/deployment-path.request.dto';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import { GetDeploymentMonitoringQuery } from './deployment-monitoring.query-handler';
import { DeploymentMonitoringRequest } from './deployment-monitoring.request.dto';
import { DeploymentMonitoringView } from './deployment-monitoring.view';

@ApiTags('monitoring')
@AllowEveryRole()
@Controller('monitoring')
export class DeploymentMonitoringHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get('deployments/:id')
  @ApiOperation({
    summary:
      'A deployment over time: prediction volume, automated vs referred, outputs, latency and ground truth per hour or day, with deployments, rollbacks, signals and alerts on one timeline',
    description:
      'Buckets are UTC; a batch or ground-truth record counts in the bucket where its window starts. Latency: batches report percentiles, which cannot be merged exactly, so p50 and p95 are means of the batches’ figures weighted by their counts and p99 is the highest batch p99. Ground-truth metrics are count-weighted means over the records in the bucket. A range of more than 1000 buckets, or `to` not after `from`, is 400.',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: DeploymentMonitoringView })
  get(
    @Param() { id }: DeploymentPath,
    @Query() request: DeploymentMonitoringRequest,
  ): Promise<DeploymentMonitoringView> {
    return this.queries.execute(new GetDeploymentMonitoringQuery(id, request));
  }
}
