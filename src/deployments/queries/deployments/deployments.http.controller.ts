import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import { DeploymentPath } from '../../deployment-path.request.dto';
import {
  DeploymentListAsOf,
  ListDeploymentsAsOfQuery,
} from '../deployments-as-of/deployments-as-of.query-handler';
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
    summary:
      'What each model serves in each environment (every status unless filtered); with asOf, what served at that instant, on which approval and data',
  })
  @ApiRead()
  @ApiExtraModels(DeploymentList, DeploymentListAsOf)
  @ApiOkResponse({
    description: 'DeploymentList; DeploymentListAsOf when asOf is given',
    schema: {
      anyOf: [{ $ref: getSchemaPath(DeploymentList) }, { $ref: getSchemaPath(DeploymentListAsOf) }],
    },
  })
  list(@Query() request: ListDeploymentsRequest): Promise<DeploymentList | DeploymentListAsOf> {
    const { asOf, ...filters } = request;
    if (asOf !== undefined) {
      return this.queries.execute(new ListDeploymentsAsOfQuery(new Date(asOf), filters));
    }
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
