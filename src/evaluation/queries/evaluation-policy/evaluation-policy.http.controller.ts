import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import {
  EvaluationPolicyView,
  GetEvaluationPolicyQuery,
} from './get-evaluation-policy.query-handler';

@ApiTags('evaluation')
@ApiProblems(401, 503)
@AllowEveryRole()
@Controller('policies')
export class EvaluationPolicyHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get('evaluation')
  @ApiOperation({
    summary:
      'The evaluation policy in force: its version, who set it, and the rules per risk tier with per-environment overrides',
  })
  @ApiOkResponse({ type: EvaluationPolicyView })
  get(): Promise<EvaluationPolicyView> {
    return this.queries.execute(new GetEvaluationPolicyQuery());
  }
}
