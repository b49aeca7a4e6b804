import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EVENT_LOG, EventLog } from '../../event-log.port';
import { VerificationReport, verifyLedger } from '../../ledger-verifier';
import { VerifyLedgerQuery } from './verify-ledger.query';

@QueryHandler(VerifyLedgerQuery)
export class VerifyLedgerQueryHandler implements IQueryHandler<
  VerifyLedgerQuery,
  VerificationReport
> {
  constructor(@Inject(EVENT_LOG) private readonly eventLog: EventLog) {}

  execute(): Promise<VerificationReport> {
    return verifyLedger(this.eventLog);
  }
}
