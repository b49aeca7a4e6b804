import {
  DEFAULT_EVALUATION_POLICY,
  type EvaluationPolicy,
  type EvaluationRules,
  type MeasuredEvaluation,
  type MeasuredFairness,
  rulesFor,
  verdict,
} from './evaluation-policy';

const POLICY: EvaluationPolicy = {
  low: { minAuc: 0.55, minGroupSize: 20 },
  medium: { minAuc: 0.65, maxAucDrop: 0.02, minGroupSize: 50 },
  high: {
    minAuc: 0.75,
    maxAucDrop: 0.01,
    maxCalibrationError: 0.05,
    minEqualizedOddsRatio: 0.8,
    minGroupSize: 100,
    environments: { staging: { minAuc: 0.7, minEqualizedOddsRatio: null, minGroupSize: 30 } },
  },
};

const age = (overrides: Partial<MeasuredFairness> = {}): MeasuredFairness => ({
  attribute: 'age',
  groups: [
    { group: 'under-30', count: 400, selectionRate: 0.3, tpr: 0.7, fpr: 0.1 },
    { group: '30-plus', count: 600, selectionRate: 0.33, tpr: 0.72, fpr: 0.12 },
  ],
  demographicParityRatio: 0.91,
  demographicParityDifference: 0.03,
  equalizedOddsRatio: 0.83,
  equalizedOddsDifference: 0.02,
  equalOpportunityDifference: 0.02,
  ...overrides,
});

const measured = (overrides: Partial<MeasuredEvaluation> = {}): MeasuredEvaluation => ({
  auc: 0.8,
  champion: { difference: 0.004, lower95: -0.006, upper95: 0.014 },
  ece: 0.03,
  fairness: [age()],
  ...overrides,
});

const HIGH: EvaluationRules = {
  minAuc: 0.75,
  maxAucDrop: 0.01,
  maxCalibrationError: 0.05,
  minDemographicParityRatio: 0.8,
  minEqualizedOddsRatio: 0.8,
  maxEqualOpportunityDifference: 0.1,
  minGroupSize: 100,
};

describe('rulesFor', () => {
  it('gives the tier’s rules where no environment overrides them', () => {
    expect(rulesFor(POLICY, 'medium', 'production')).toEqual(POLICY.medium);
    const { environments: _environments, ...high } = POLICY.high;
    expect(rulesFor(POLICY, 'high', 'production')).toEqual(high);
    expect(rulesFor(POLICY, 'high')).toEqual(high);
  });

  it('applies the environment’s overrides: values replace, null drops the bound', () => {
    expect(rulesFor(POLICY, 'high', 'staging')).toEqual({
      minAuc: 0.7,
      maxAucDrop: 0.01,
      maxCalibrationError: 0.05,
      minGroupSize: 30,
    });
  });

  it('resolves the default policy for every tier', () => {
    expect(rulesFor(DEFAULT_EVALUATION_POLICY, 'low', 'staging').minAuc).toBe(0.6);
    expect(rulesFor(DEFAULT_EVALUATION_POLICY, 'high', 'production').minGroupSize).toBe(100);
  });
});

describe('verdict', () => {
  it('passes when every rule is met, listing each with its value and threshold', () => {
    const result = verdict(HIGH, measured());
    expect(result).toMatchObject({ outcome: 'pass', passed: true });
    expect(result.results).toEqual([
      { rule: 'minAuc', value: 0.8, threshold: 0.75, comparison: '>=', status: 'pass' },
      { rule: 'maxAucDrop', value: -0.006, threshold: -0.01, comparison: '>=', status: 'pass' },
      {
        rule: 'maxCalibrationError',
        value: 0.03,
        threshold: 0.05,
        comparison: '<=',
        status: 'pass',
      },
      {
        rule: 'minDemographicParityRatio',
        attribute: 'age',
        value: 0.91,
        threshold: 0.8,
        comparison: '>=',
        status: 'pass',
      },
      {
        rule: 'minEqualizedOddsRatio',
        attribute: 'age',
        value: 0.83,
        threshold: 0.8,
        comparison: '>=',
        status: 'pass',
      },
      {
        rule: 'maxEqualOpportunityDifference',
        attribute: 'age',
        value: 0.02,
        threshold: 0.1,
        comparison: '<=',
        status: 'pass',
      },
    ]);
  });

  it('passes a value exactly at its threshold', () => {
    expect(verdict(HIGH, measured({ auc: 0.75, ece: 0.05 })).outcome).toBe('pass');
  });

  it('fails on a low AUC, and names the failing rule', () => {
    const result = verdict(HIGH, measured({ auc: 0.74 }));
    expect(result).toMatchObject({ outcome: 'fail', passed: false });
    expect(result.results.filter((rule) => rule.status === 'fail')).toEqual([
      { rule: 'minAuc', value: 0.74, threshold: 0.75, comparison: '>=', status: 'fail' },
    ]);
  });

  it('fails non-inferiority when the interval’s lower bound is below −maxAucDrop', () => {
    // The point estimate is better than the champion's; the interval is too wide to rule out a drop.
    const result = verdict(
      HIGH,
      measured({ champion: { difference: 0.002, lower95: -0.0101, upper95: 0.0141 } }),
    );
    expect(result.outcome).toBe('fail');
    expect(result.results.find((rule) => rule.rule === 'maxAucDrop')).toMatchObject({
      value: -0.0101,
      threshold: -0.01,
      status: 'fail',
    });
  });

  it('fails a fairness bound for the attribute that breaks it', () => {
    const result = verdict(HIGH, measured({ fairness: [age({ equalizedOddsRatio: 0.7 })] }));
    expect(result.outcome).toBe('fail');
    expect(result.results.filter((rule) => rule.status === 'fail')).toEqual([
      {
        rule: 'minEqualizedOddsRatio',
        attribute: 'age',
        value: 0.7,
        threshold: 0.8,
        comparison: '>=',
        status: 'fail',
      },
    ]);
  });

  it('skips the champion comparison, with the reason, when there is no champion', () => {
    const result = verdict(HIGH, measured({ champion: null }));
    expect(result).toMatchObject({ outcome: 'pass', passed: true });
    expect(result.results.find((rule) => rule.rule === 'maxAucDrop')).toEqual({
      rule: 'maxAucDrop',
      value: null,
      threshold: -0.01,
      comparison: '>=',
      status: 'skipped',
      reason: 'no champion to compare with',
    });
  });

  it('finds fairness not assessable, never passed, when a group is smaller than minGroupSize', () => {
    const small = age({
      groups: [
        { group: 'under-30', count: 99, selectionRate: 0.3, tpr: 0.7, fpr: 0.1 },
        { group: '30-plus', count: 900, selectionRate: 0.33, tpr: 0.72, fpr: 0.12 },
      ],
    });
    const result = verdict(HIGH, measured({ fairness: [small] }));
    expect(result).toMatchObject({ outcome: 'not-assessable', passed: false });
    const fairness = result.results.filter((rule) => rule.attribute === 'age');
    expect(fairness).toHaveLength(3);
    for (const rule of fairness) {
      expect(rule).toMatchObject({
        status: 'not-assessable',
        value: null,
        reason: '1 of 2 groups have fewer than 100 rows',
      });
    }
    // The same data under a smaller minimum is assessed.
    expect(verdict({ ...HIGH, minGroupSize: 99 }, measured({ fairness: [small] })).outcome).toBe(
      'pass',
    );
  });

  it('finds a rule not assessable when its metric was not measured', () => {
    const result = verdict(HIGH, measured({ ece: null }));
    expect(result.outcome).toBe('not-assessable');
    expect(result.results.find((rule) => rule.rule === 'maxCalibrationError')).toMatchObject({
      status: 'not-assessable',
      value: null,
      reason: 'not measured',
    });
  });

  it('lets a failure outweigh a rule not assessed', () => {
    expect(verdict(HIGH, measured({ auc: 0.6, ece: null })).outcome).toBe('fail');
  });

  it('checks only the rules in force', () => {
    const result = verdict({ minAuc: 0.6, minGroupSize: 10 }, measured());
    expect(result.results.map((rule) => rule.rule)).toEqual(['minAuc']);
  });
});
