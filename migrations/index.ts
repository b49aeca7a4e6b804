import { LedgerEvents1764200000000 } from './1764200000000-ledger-events';
import { Projections1764200000001 } from './1764200000001-projections';

/** Every migration, in order; listed here so builds and tests load the same set. */
export const migrations = [LedgerEvents1764200000000, Projections1764200000001];
