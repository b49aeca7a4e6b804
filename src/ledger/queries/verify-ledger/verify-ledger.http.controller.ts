import { AllowEveryRole } from '../../../auth/access.decorators';
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { VerificationReport } from '../../ledger-verifier';
import { VerificationReportView } from './verification-report.view';
import { VerifyLedgerQuery } from './verify-ledger.query';

@ApiTags('ledger')
@AllowEveryRole()
@Controller('ledger/verify')
export class VerifyLedgerHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Recompute every stream hash chain and name the first event that does not match',
  })
  @ApiOkResponse({ type: VerificationReportView })
  verify(): Promise<VerificationReport> {
    return this.queries.execute(new VerifyLedgerQuery());
  }
}
