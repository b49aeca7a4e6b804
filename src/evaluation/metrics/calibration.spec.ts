import { calibration } from './calibration';
import { chiSquareSurvival } from './special-functions';

describe('calibration', () => {
  it('bins by equal counts and computes ECE and Hosmer–Lemeshow by hand', () => {
    // Two bins of two rows (sorted by score): {0.1 → 0, 0.2 → 1} and {0.6 → 1, 0.9 → 1}.
    // Bin 1: mean predicted 0.15, observed ½; bin 2: mean 0.75, observed 1.
    // ECE = ½·|0.5 − 0.15| + ½·|1 − 0.75| = 0.175 + 0.125 = 0.3.
    // HL: bin 1 O = 1, E = 0.3, E(1 − 0.15) = 0.255 → 0.49/0.255;
    //     bin 2 O = 2, E = 1.5, E(1 − 0.75) = 0.375 → 0.25/0.375.
    const c = calibration([0.9, 0.1, 0.6, 0.2], [1, 0, 1, 1], 2);
    expect(c.bins).toEqual([
      {
        count: 2,
        minPredicted: 0.1,
        maxPredicted: 0.2,
        meanPredicted: expect.closeTo(0.15, 12),
        observedRate: 0.5,
      },
      {
        count: 2,
        minPredicted: 0.6,
        maxPredicted: 0.9,
        meanPredicted: expect.closeTo(0.75, 12),
        observedRate: 1,
      },
    ]);
    expect(c.expectedCalibrationError).toBeCloseTo(0.3, 12);
    expect(c.hosmerLemeshow).toBeCloseTo(0.49 / 0.255 + 0.25 / 0.375, 12);
    expect(c.degreesOfFreedom).toBe(0);
    expect(c.pValue).toBeNull(); // g − 2 = 0 degrees of freedom: no test
  });

  it('gives the Hosmer–Lemeshow p-value from chi-square with g − 2 df', () => {
    // Three bins: {0.2, 0.2 → 0, 0}, {0.5, 0.5 → 1, 0}, {0.8, 0.8 → 1, 1}.
    // Bin 1: O 0, E 0.4, var 0.4·0.8 = 0.32 → 0.16/0.32 = 0.5; bin 2: O 1 = E 1 → 0;
    // bin 3: O 2, E 1.6, var 1.6·0.2 = 0.32 → 0.16/0.32 = 0.5. HL = 1, df = 1,
    // p = P(χ²₁ ≥ 1) = erfc(1/√2) = 0.3173105078629141.
    const c = calibration([0.2, 0.5, 0.8, 0.2, 0.5, 0.8], [0, 1, 1, 0, 0, 1], 3);
    expect(c.hosmerLemeshow).toBeCloseTo(1, 12);
    expect(c.degreesOfFreedom).toBe(1);
    expect(c.pValue).toBeCloseTo(0.3173105078629141, 12);
  });

  it('uses ten bins of sizes differing by at most one, and df 8', () => {
    const n = 1003;
    const scores = Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    const labels = scores.map((p, i) => (((i * 7919) % 1000) / 1000 < p ? 1 : 0));
    const c = calibration(scores, labels);
    // Edges ⌊k·1003/10⌋ = 0, 100, 200, 300, 401, 501, 601, 702, 802, 902, 1003.
    expect(c.bins.map((b) => b.count)).toEqual([100, 100, 100, 101, 100, 100, 101, 100, 100, 101]);
    expect(c.degreesOfFreedom).toBe(8);
    expect(c.pValue).toBeCloseTo(chiSquareSurvival(c.hosmerLemeshow, 8), 14);
    // Bins are in score order and partition the rows.
    for (let k = 1; k < c.bins.length; k++) {
      expect(c.bins[k].minPredicted).toBeGreaterThanOrEqual(c.bins[k - 1].maxPredicted);
    }
  });

  it('drops empty bins when there are fewer rows than bins', () => {
    const c = calibration([0.3, 0.6, 0.9], [0, 1, 1]);
    expect(c.bins.map((b) => b.count)).toEqual([1, 1, 1]);
    expect(c.degreesOfFreedom).toBe(1);
  });

  it('treats a zero-variance bin as 0 when exact and Infinity (p = 0) when not', () => {
    // Bins {0, 0 → 0, 0}, {0.5, 0.5 → 1, 0}, {1, 1 → 1, 1}: all exact → HL 0, p 1.
    expect(calibration([0, 0, 0.5, 0.5, 1, 1], [0, 0, 1, 0, 1, 1], 3)).toMatchObject({
      hosmerLemeshow: 0,
      pValue: 1,
    });
    // Predicting 0 for a row that is 1 is infinitely surprising.
    expect(calibration([0, 0, 0.5, 0.5, 1, 1], [1, 0, 1, 0, 1, 1], 3)).toMatchObject({
      hosmerLemeshow: Infinity,
      pValue: 0,
    });
  });

  it('rejects bad input naming the argument', () => {
    expect(() => calibration([0.5, 1.5], [0, 1])).toThrow(/^scores: entry 1 is not a probability/);
    expect(() => calibration([0.5], [1], 0)).toThrow(/^binCount: /);
    expect(() => calibration([0.5], [1], 2.5)).toThrow(/^binCount: /);
  });
});
