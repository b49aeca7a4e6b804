import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import {
  GetMonitoringPolicyQuery,
  MonitoringPolicyView,
} from './get-monitoring-policy.query-handler';

@ApiTags('monitoring')
@ApiProblems(401, 503)
@AllowEveryRole()
@Controller('policies')
export class MonitoringPolicyHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get('monitoring')
  @ApiOperation({
    summary:
      'The monitoring policy in force: its version, who set it, the built-in rules and the overrides by default, risk tier and model',
  })
  @ApiOkResponse({ type: MonitoringPolicyView })
  get(): Promise<MonitoringPolicyView> {
    return this.queries.execute(new GetMonitoringPolicyQuery());
  }
}
