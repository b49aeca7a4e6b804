import { createHash } from 'node:crypto';

/** The first half of every stream lock's key ('ATST'), apart from other advisory locks. */
export const STREAM_LOCK_NAMESPACE = 0x41545354;

/**
 * A stream's advisory-lock key on PostgreSQL: 32 bits of the SHA-256 of its name. Two streams
 * sharing a key only wait for each other; they never skip a check (docs/consistency.md).
 */
export function streamLockKey(stream: string): number {
  return createHash('sha256').update(stream).digest().readInt32BE(0);
}
