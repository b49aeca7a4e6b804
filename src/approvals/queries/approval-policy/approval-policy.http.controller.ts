import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { ApprovalPolicyView, GetApprovalPolicyQuery } from './get-approval-policy.query-handler';

@ApiTags('approvals')
@ApiProblems(401, 503)
@AllowEveryRole()
@Controller('policies')
export class ApprovalPolicyHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get('approval')
  @ApiOperation({
    summary:
      'The approval policy in force: stages, evaluation requirement and grant comment requirement per risk tier',
  })
  @ApiOkResponse({ type: ApprovalPolicyView })
  get(): Promise<ApprovalPolicyView> {
    return this.queries.execute(new GetApprovalPolicyQuery());
  }
}
