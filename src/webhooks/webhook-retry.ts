/**
 * When a failed delivery is tried again (README, "Webhooks"): exponential steps from 5 s to 8 h,
 * each drawn with full jitter (uniformly between 0 and the step), so receivers that failed
 * together are not all retried in the same instant. Attempts go on until WEBHOOK_RETRY_FOR_MS has
 * passed since the delivery was queued.
 */
export const RETRY_STEPS_MS = [
  5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000,
] as const;

/** Milliseconds to wait after the `attempt`-th failed attempt (1-based). */
export type RetryDelay = (attempt: number) => number;

/** Nest token: the retry delay (tests give one without waits). */
export const WEBHOOK_RETRY_DELAY = Symbol('WebhookRetryDelay');

export function fullJitterDelay(attempt: number, random: () => number = Math.random): number {
  const step = RETRY_STEPS_MS[Math.min(Math.max(attempt, 1), RETRY_STEPS_MS.length) - 1];
  return Math.floor(random() * step);
}
