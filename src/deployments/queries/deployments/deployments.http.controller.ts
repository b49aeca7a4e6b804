import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import { DeploymentPath } from '../../deployment-path.request.dto';
import {
  DeploymentDetail,
  DeploymentList,
  GetDeploymentQuery,
  ListDeploymentsQuery,
} from './deployments.query-handler';
import { ListDeploymentsRequest } from './list-deployments.request.dto';

@ApiTags('deployments')
@AllowEveryRole()
@Controller('deployments')
export class DeploymentsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'What each model serves in each environment (every status unless filtered)',
  })
  @ApiRead()
  @ApiOkResponse({ type: DeploymentList })
  list(@Query() filters: ListDeploymentsRequest): Promise<DeploymentList> {
    return this.queries.execute(new ListDeploymentsQuery(filters));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One deployment: what it serves now and every change to it' })
  @ApiRead(404)
  @ApiOkResponse({ type: DeploymentDetail })
  get(@Param() { id }: DeploymentPath): Promise<DeploymentDetail> {
    return this.queries.execute(new GetDeploymentQuery(id));
  }
}
