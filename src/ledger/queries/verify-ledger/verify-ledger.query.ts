import { Query } from '@nestjs/cqrs';
import type { VerificationReport } from '../../ledger-verifier';

export class VerifyLedgerQuery extends Query<VerificationReport> {}
