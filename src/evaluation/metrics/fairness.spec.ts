import { fairness } from './fairness';

// The input arrays of Fairlearn's user guide, "Common fairness metrics"
// (docs/user_guide/assessment/common_fairness_metrics.rst), whose documented
// results are demographic_parity_difference 0.25, demographic_parity_ratio
// 0.66666…, equalized_odds_difference 1.0 and equalized_odds_ratio 0.0.
const yTrue = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1];
const yPred = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0];
const sf = [
  'b',
  'b',
  'a',
  'b',
  'b',
  'c',
  'c',
  'c',
  'a',
  'a',
  'c',
  'a',
  'b',
  'c',
  'c',
  'b',
  'c',
  'c',
];

describe('fairness', () => {
  it("reproduces Fairlearn's documented example", () => {
    const f = fairness(yTrue, yPred, sf);
    // By hand — a: rows 2, 8, 9, 11: labels 1 1 0 0, predicted 1 0 1 1 → selection ¾, TPR ½, FPR 2/2.
    // b: rows 0, 1, 3, 4, 12, 15: labels 0 1 1 1 1 1, predicted 0 0 0 1 1 1 → 3/6, TPR 3/5, FPR 0/1.
    // c: rows 5, 6, 7, 10, 13, 14, 16, 17: labels 0 1 0 0 1 1 1 1, predicted 1 1 0 1 0 0 1 0
    //    → 4/8, TPR 2/5, FPR 2/3.
    expect(f.groups).toEqual([
      {
        group: 'a',
        count: 4,
        assessable: true,
        selectionRate: 0.75,
        truePositiveRate: 0.5,
        falsePositiveRate: 1,
      },
      {
        group: 'b',
        count: 6,
        assessable: true,
        selectionRate: 0.5,
        truePositiveRate: 0.6,
        falsePositiveRate: 0,
      },
      {
        group: 'c',
        count: 8,
        assessable: true,
        selectionRate: 0.5,
        truePositiveRate: 0.4,
        falsePositiveRate: expect.closeTo(2 / 3, 12),
      },
    ]);
    expect(f.demographicParity.difference).toBeCloseTo(0.25, 12); // 0.75 − 0.5
    expect(f.demographicParity.ratio).toBeCloseTo(0.6666667, 6); // 0.5/0.75
    expect(f.equalizedOdds.difference).toBe(1); // max(TPR 0.6 − 0.4, FPR 1 − 0)
    expect(f.equalizedOdds.ratio).toBe(0); // min(TPR 0.4/0.6, FPR 0/1)
    expect(f.equalOpportunity.difference).toBeCloseTo(0.2, 12); // 0.6 − 0.4
    expect(f.equalOpportunity.ratio).toBeCloseTo(2 / 3, 12); // 0.4/0.6
  });

  it('reports small groups as not assessable and leaves them out of the aggregates', () => {
    // minGroupSize 5 drops a (4 rows). b vs c: selection 0.5 vs 0.5 → 0, ratio 1;
    // TPR 0.6 vs 0.4 → 0.2, ratio 2/3; FPR 0 vs 2/3 → 2/3, ratio 0.
    const f = fairness(yTrue, yPred, sf, 5);
    expect(f.groups.map((g) => [g.group, g.assessable])).toEqual([
      ['a', false],
      ['b', true],
      ['c', true],
    ]);
    expect(f.groups[0].selectionRate).toBe(0.75); // still reported
    expect(f.demographicParity).toEqual({ difference: 0, ratio: 1 });
    expect(f.equalOpportunity.difference).toBeCloseTo(0.2, 12);
    expect(f.equalizedOdds.difference).toBeCloseTo(2 / 3, 12);
    expect(f.equalizedOdds.ratio).toBe(0);
    // Nothing assessable → every aggregate null.
    const none = fairness(yTrue, yPred, sf, 100);
    expect(none.demographicParity).toEqual({ difference: null, ratio: null });
    expect(none.equalizedOdds).toEqual({ difference: null, ratio: null });
  });

  it('leaves a group without positives out of the TPR aggregate only', () => {
    // x: labels 0 0, predicted 1 0 → selection ½, TPR none, FPR ½.
    // y: labels 1 0, predicted 1 1 → selection 1, TPR 1, FPR 1.
    const f = fairness([0, 0, 1, 0], [1, 0, 1, 1], ['x', 'x', 'y', 'y']);
    expect(f.groups[0].truePositiveRate).toBeNull();
    expect(f.equalOpportunity).toEqual({ difference: 0, ratio: 1 }); // only y has a TPR
    expect(f.equalizedOdds).toEqual({ difference: 0.5, ratio: 0.5 }); // FPR ½ vs 1
    expect(f.demographicParity).toEqual({ difference: 0.5, ratio: 0.5 });
  });

  it('gives no ratio when every rate is 0 (0/0)', () => {
    const f = fairness([1, 0, 1, 0], [0, 0, 0, 0], ['x', 'x', 'y', 'y']);
    expect(f.demographicParity).toEqual({ difference: 0, ratio: null });
  });

  it('rejects bad input naming the argument', () => {
    expect(() => fairness([0, 1], [0, 1], ['a'])).toThrow(
      /^groups: has 1 entries but labels has 2$/,
    );
    expect(() => fairness([0, 1], [0, 0.7], ['a', 'b'])).toThrow(
      /^predicted: entry 1 is not 0 or 1$/,
    );
    expect(() => fairness([0, 1], [0, 1], ['a', 'b'], 0)).toThrow(/^minGroupSize: /);
    expect(() => fairness([0, 1], [0, 1], ['a', null as unknown as string])).toThrow(
      /^groups: entry 1 is not a string$/,
    );
  });
});
