import { Controller, Get, Inject, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { CLOCK, type Clock } from '../../../ledger/clock';
import { ApiRead } from '../../../ledger/http/api-read.decorator';
import { InvalidRequest } from '../../../ledger/ledger.errors';
import { AdmRegisterQuery } from './adm-register.query-handler';
import { AdmRegisterRequest } from './adm-register.request.dto';
import { ADM_REGISTER_EXAMPLE, AdmRegisterView } from './adm-register.view';
import { reportingPeriod } from './reporting-period';

/** docs/design.md §7 "reports": every role reads the register. */
@ApiTags('compliance')
@AllowEveryRole()
@Controller('compliance/adm-register')
export class AdmRegisterHttpController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'APP 1.7 automated decision-making register for a period',
    description:
      'Every model version that served (fully or as a canary) at any time in [from, to] whose decision class is solely-automated or substantially-assists: the kinds of personal information it uses, the decisions it makes, its owner, where and when it served, its approvals, and gaps. Facts are as recorded before the end of `to` (UTC); `obligation.inForce` says whether APP 1.7–1.9 applied on `to` (from 2026-12-10).',
  })
  @ApiRead()
  @ApiOkResponse({ type: AdmRegisterView, example: ADM_REGISTER_EXAMPLE })
  register(@Query() request: AdmRegisterRequest): Promise<AdmRegisterView> {
    const resolved = reportingPeriod(request, this.clock());
    if ('errors' in resolved) {
      throw new InvalidRequest('invalid reporting period', resolved.errors);
    }
    return this.queries.execute(new AdmRegisterQuery(resolved.period));
  }
}
