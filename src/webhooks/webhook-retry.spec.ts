import { RETRY_STEPS_MS, fullJitterDelay } from './webhook-retry';

describe('fullJitterDelay', () => {
  it('draws each wait between 0 and the step for that attempt, capped at the last step', () => {
    expect(fullJitterDelay(1, () => 0.999999)).toBe(4_999);
    expect(fullJitterDelay(2, () => 0.5)).toBe(15_000);
    expect(fullJitterDelay(1, () => 0)).toBe(0);
    expect(fullJitterDelay(50, () => 0.999999)).toBeLessThan(RETRY_STEPS_MS.at(-1) as number);
    expect(fullJitterDelay(50, () => 0.5)).toBe(14_400_000);
  });

  it('grows exponentially through 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h', () => {
    expect(RETRY_STEPS_MS.slice(0, 7)).toEqual([
      5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000,
    ]);
  });
});
