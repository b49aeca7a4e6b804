import { createHash } from 'node:crypto';

/**
 * A stream's advisory-lock key on PostgreSQL: 32 bits of the SHA-256 of its name. Two streams
 * sharing a key only wait for each other; they never skip a check (docs/consistency.md).
 */
export function streamLockKey(stream: string): number {
  return createHash('sha256').update(stream).digest().readInt32BE(0);
}
