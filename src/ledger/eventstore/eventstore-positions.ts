import type { LedgerPosition } from '../event-log.port';

/** An EventStoreDB log position: commit and prepare offsets, compared but never computed with. */
export interface EsdbPosition {
  commit: bigint;
  prepare: bigint;
}

const TOKEN = /^(\d{1,20})\/(\d{1,20})$/;
const MAX_UINT64 = 2n ** 64n - 1n;

export function formatEsdbPosition(position: EsdbPosition): LedgerPosition {
  return `${position.commit}/${position.prepare}`;
}

export function isEsdbPosition(token: string): boolean {
  const match = TOKEN.exec(token);
  return match !== null && BigInt(match[1]) <= MAX_UINT64 && BigInt(match[2]) <= MAX_UINT64;
}

export function parseEsdbPosition(token: LedgerPosition): EsdbPosition {
  const match = TOKEN.exec(token);
  if (!match || !isEsdbPosition(token))
    throw new RangeError(`not an EventStoreDB position: ${token}`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

export function compareEsdbPositions(a: LedgerPosition, b: LedgerPosition): number {
  const left = parseEsdbPosition(a);
  const right = parseEsdbPosition(b);
  if (left.commit !== right.commit) return left.commit < right.commit ? -1 : 1;
  if (left.prepare !== right.prepare) return left.prepare < right.prepare ? -1 : 1;
  return 0;
}
