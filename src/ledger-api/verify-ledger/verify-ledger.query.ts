import { Query } from '@nestjs/cqrs';
import type { TreeReport } from '../../integrity/tree-check';
import type { VerificationReport } from '../../ledger/ledger-verifier';

/** The chains and the integrity tree checked in one pass over the ledger. */
export type LedgerVerification = VerificationReport<TreeReport>;

export class VerifyLedgerQuery extends Query<LedgerVerification> {}
