import { AllowEveryRole } from '../../auth/access.decorators';
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LedgerVerification } from './verify-ledger.query';
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
    description:
      'Also checks every stored node of the integrity log against the same events: each leaf row, each stored complete subtree at every level (recomputed from the events’ hashes), each signed checkpoint (root at its size, signature by a key the ledger recorded) and each row of the checkpoint and signing-key tables. `tree.firstMismatch` names the first wrong one (stable `reason`, `table`, `level`, `index`, expected and stored values). Answers 200 either way; `ok` says whether everything matched.',
  })
  @ApiOkResponse({ type: VerificationReportView })
  verify(): Promise<LedgerVerification> {
    return this.queries.execute(new VerifyLedgerQuery());
  }
}
