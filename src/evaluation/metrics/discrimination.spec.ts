import {
  auc,
  brierScore,
  gini,
  ksStatistic,
  predictAtThreshold,
  thresholdMetrics,
} from './discrimination';
import { MetricInputError } from './input';

// The classic four-row example: negatives score 0.1 and 0.4, positives 0.35 and 0.8.
const scores = [0.1, 0.4, 0.35, 0.8];
const labels = [0, 0, 1, 1];

describe('auc', () => {
  it('counts correctly ordered positive/negative pairs', () => {
    // Pairs (pos, neg): (0.35, 0.1) ✓, (0.35, 0.4) ✗, (0.8, 0.1) ✓, (0.8, 0.4) ✓ → 3/4.
    expect(auc(scores, labels)).toBeCloseTo(0.75, 12);
    expect(auc(Float64Array.from(scores), Uint8Array.from(labels))).toBeCloseTo(0.75, 12);
  });

  it('counts a tied pair as one half', () => {
    // pos {0.5, 0.9}, neg {0.5, 0.5}: 0.5 vs 0.5 twice → ½ + ½; 0.9 beats both → 2. (1 + 2)/4.
    // By mid-ranks: 0.5×3 share ranks 1..3 → 2 each, 0.9 → 4; R₊ = 2 + 4 = 6; (6 − 3)/4 = 0.75.
    expect(auc([0.5, 0.5, 0.5, 0.9], [1, 0, 0, 1])).toBeCloseTo(0.75, 12);
    // All scores equal: every pair is a tie → 0.5.
    expect(auc([0.3, 0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0, 0])).toBeCloseTo(0.5, 12);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('matches the pairwise definition on random data with many ties', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const s: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 400; i++) {
      s.push(Math.round(rand() * 20) / 20); // 21 distinct values → many ties
      y.push(rand() < 0.3 ? 1 : 0);
    }
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < s.length; i++) {
      if (y[i] !== 1) continue;
      for (let j = 0; j < s.length; j++) {
        if (y[j] !== 0) continue;
        pairs++;
        wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }
    expect(auc(s, y)).toBeCloseTo(wins / pairs, 12);
  });

  it('is null (undefined) when the labels hold one class only', () => {
    expect(auc([0.2, 0.7, 0.9], [1, 1, 1])).toBeNull();
    expect(auc([0.2, 0.7, 0.9], [0, 0, 0])).toBeNull();
    expect(gini([0.2, 0.7], [0, 0])).toBeNull();
    expect(ksStatistic([0.2, 0.7], [1, 1])).toBeNull();
  });

  it('rejects bad input naming the argument', () => {
    expect(() => auc([], [])).toThrow(new MetricInputError('scores', 'must not be empty'));
    expect(() => auc([0.1, 0.2], [0])).toThrow(/^labels: has 1 entries but scores has 2$/);
    expect(() => auc([0.1, NaN], [0, 1])).toThrow(/^scores: entry 1 is not a finite number$/);
    expect(() => auc([0.1, 0.2], [0, 2])).toThrow(/^labels: entry 1 is not 0 or 1$/);
  });
});

describe('gini, KS, Brier', () => {
  it('gini = 2·AUC − 1', () => {
    expect(gini(scores, labels)).toBeCloseTo(0.5, 12); // 2·0.75 − 1
  });

  it('KS is the largest TPR − FPR gap over thresholds', () => {
    // Threshold ≥0.8: TPR ½, FPR 0 → ½; ≥0.4: ½, ½ → 0; ≥0.35: 1, ½ → ½; ≥0.1: 1, 1 → 0.
    expect(ksStatistic(scores, labels)).toBeCloseTo(0.5, 12);
    // Tied scores move together: ≥0.5 takes all of {0.5 pos, 0.5 neg, 0.5 neg}.
    // ≥0.9: TPR ½, FPR 0 → ½; ≥0.5: 1, 1 → 0. KS = ½.
    expect(ksStatistic([0.5, 0.5, 0.5, 0.9], [1, 0, 0, 1])).toBeCloseTo(0.5, 12);
  });

  it('Brier is the mean squared error of the probabilities', () => {
    // (0.1² + 0.4² + 0.65² + 0.2²)/4 = (0.01 + 0.16 + 0.4225 + 0.04)/4 = 0.158125
    expect(brierScore(scores, labels)).toBeCloseTo(0.158125, 12);
    expect(() => brierScore([1.2, 0.5], [1, 0])).toThrow(/^scores: entry 0 is not a probability/);
  });
});

describe('thresholdMetrics', () => {
  it('counts score >= threshold as positive', () => {
    // ≥0.4 → predicted [0, 1, 0, 1]; TP = 1 (0.8), FP = 1 (0.4), TN = 1 (0.1), FN = 1 (0.35).
    expect(thresholdMetrics(scores, labels, 0.4)).toEqual({
      threshold: 0.4,
      truePositives: 1,
      falsePositives: 1,
      trueNegatives: 1,
      falseNegatives: 1,
      accuracy: 0.5, // (1 + 1)/4
      precision: 0.5, // 1/(1 + 1)
      recall: 0.5, // 1/(1 + 1)
      f1: 0.5, // 2·1/(2·1 + 1 + 1)
    });
    // ≥0.35 → predicted [0, 1, 1, 1]: TP 2, FP 1, TN 1, FN 0.
    const m = thresholdMetrics(scores, labels, 0.35);
    expect(m.accuracy).toBeCloseTo(0.75, 12); // 3/4
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(0.8, 12); // 4/(4 + 1 + 0)
  });

  it('defines the 0/0 cases: precision null when nothing is predicted positive', () => {
    // ≥0.9 → nothing predicted positive: TP 0, FP 0, TN 2, FN 2.
    const none = thresholdMetrics(scores, labels, 0.9);
    expect(none.precision).toBeNull();
    expect(none.recall).toBe(0);
    expect(none.f1).toBe(0); // 0/(0 + 0 + 2)
    // No positive labels: recall undefined; F1 = 0 when something is predicted positive…
    const noPositives = thresholdMetrics([0.2, 0.7], [0, 0], 0.5);
    expect(noPositives.recall).toBeNull();
    expect(noPositives.precision).toBe(0);
    expect(noPositives.f1).toBe(0); // 0/(0 + 1 + 0)
    // …and null when nothing is (2TP + FP + FN = 0).
    const empty = thresholdMetrics([0.2, 0.3], [0, 0], 0.5);
    expect(empty).toMatchObject({ precision: null, recall: null, f1: null, accuracy: 1 });
  });

  it('rejects a non-finite threshold', () => {
    expect(() => thresholdMetrics(scores, labels, NaN)).toThrow(/^threshold: /);
    expect(() => predictAtThreshold(scores, Infinity)).toThrow(/^threshold: /);
  });

  it('predictAtThreshold uses the same rule', () => {
    expect(Array.from(predictAtThreshold(scores, 0.4))).toEqual([0, 1, 0, 1]);
  });
});
