import type { LedgerPosition } from '../event-log.port';

/** A PostgreSQL ledger position: the appending transaction's xid8, then the global sequence. */
export interface PgPosition {
  transactionId: bigint;
  sequence: bigint;
}

const TOKEN = /^(\d{1,20})-(\d{1,20})$/;

export const START: PgPosition = { transactionId: 0n, sequence: 0n };

export function formatPosition(position: PgPosition): LedgerPosition {
  return `${position.transactionId}-${position.sequence}`;
}

export function parsePosition(token: LedgerPosition): PgPosition {
  const match = TOKEN.exec(token);
  if (!match || !isPosition(token))
    throw new RangeError(`not a ledger position of this store: ${token}`);
  return { transactionId: BigInt(match[1]), sequence: BigInt(match[2]) };
}

const MAX_XID8 = 2n ** 64n - 1n;
const MAX_SEQUENCE = 2n ** 63n - 1n;

/** A well-formed token whose parts fit the xid8 and bigint columns they are compared with. */
export function isPosition(token: string): boolean {
  const match = TOKEN.exec(token);
  return match !== null && BigInt(match[1]) <= MAX_XID8 && BigInt(match[2]) <= MAX_SEQUENCE;
}

export function comparePositions(a: LedgerPosition, b: LedgerPosition): number {
  const left = parsePosition(a);
  const right = parsePosition(b);
  if (left.transactionId !== right.transactionId)
    return left.transactionId < right.transactionId ? -1 : 1;
  if (left.sequence !== right.sequence) return left.sequence < right.sequence ? -1 : 1;
  return 0;
}
