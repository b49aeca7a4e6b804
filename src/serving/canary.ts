import { createHash } from 'node:crypto';
import type { ServingArm } from './served-model';

/**
 * The arm a request lands on while a canary runs (README, "Serving"): the first four bytes of
 * SHA-256 of the caller's request id, as an unsigned integer, modulo 100, below the canary's
 * percentage. The same request id always lands on the same arm, on every replica.
 */
export function canaryArm(requestId: string, canaryPercent: number): ServingArm {
  return routingBucket(requestId) < canaryPercent ? 'canary' : 'stable';
}

/** The request's bucket, 0 to 99. */
export function routingBucket(requestId: string): number {
  return createHash('sha256').update(requestId, 'utf8').digest().readUInt32BE(0) % 100;
}
