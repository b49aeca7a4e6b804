import { given } from '../../tests/support/decider-spec';
import { DEFAULT_EVALUATION_POLICY, type EvaluationPolicy } from './evaluation-policy';
import {
  type SetEvaluationPolicy,
  currentEvaluationPolicy,
  evaluationPolicyDecider,
} from './evaluation-policy.decider';
import type { EvaluationPolicySet } from './evaluation-policy.events';

const NOW = '2026-03-01T00:00:00.000Z';

const POLICY: EvaluationPolicy = {
  low: { minAuc: 0.55, minGroupSize: 20 },
  medium: { minAuc: 0.65, maxAucDrop: 0.02, minGroupSize: 50 },
  high: {
    minAuc: 0.75,
    maxAucDrop: 0.01,
    maxCalibrationError: 0.05,
    minEqualizedOddsRatio: 0.8,
    minGroupSize: 100,
    environments: { staging: { minAuc: 0.7, minEqualizedOddsRatio: null } },
  },
};

const setPolicy = (tiers: unknown, actor = 'cora'): SetEvaluationPolicy => ({
  type: 'SetEvaluationPolicy',
  data: { tiers: tiers as EvaluationPolicy },
  actor,
  now: NOW,
});

const policySet = (
  version: number,
  tiers: EvaluationPolicy = POLICY,
  setBy = 'cora',
): EvaluationPolicySet => ({
  type: 'EvaluationPolicySet',
  data: { version, tiers, setBy, setAt: NOW },
});

describe('evaluation policy decider', () => {
  it('starts from the default, version 0', () => {
    expect(currentEvaluationPolicy([])).toEqual({
      tiers: DEFAULT_EVALUATION_POLICY,
      version: 0,
      isDefault: true,
      setBy: null,
      setAt: null,
    });
  });

  it('records the first policy as version 1, even when it equals the default', () => {
    given(evaluationPolicyDecider)
      .when(setPolicy(POLICY))
      .then([policySet(1)]);
    given(evaluationPolicyDecider)
      .when(setPolicy(DEFAULT_EVALUATION_POLICY))
      .then([policySet(1, DEFAULT_EVALUATION_POLICY)]);
  });

  it('numbers each change one above the version in force, and folds who set it', () => {
    const looser: EvaluationPolicy = { ...POLICY, low: { minAuc: 0.5, minGroupSize: 10 } };
    given(evaluationPolicyDecider, [policySet(1)])
      .when(setPolicy(looser, 'ann'))
      .then([policySet(2, looser, 'ann')]);
    expect(currentEvaluationPolicy([policySet(1), policySet(2, looser, 'ann')])).toEqual({
      tiers: looser,
      version: 2,
      isDefault: false,
      setBy: 'ann',
      setAt: NOW,
    });
  });

  it('treats the same policy again as done, whatever the key order', () => {
    const reordered = {
      high: { ...POLICY.high },
      medium: { minGroupSize: 50, maxAucDrop: 0.02, minAuc: 0.65 },
      low: POLICY.low,
    };
    given(evaluationPolicyDecider, [policySet(1)])
      .when(setPolicy(reordered))
      .then([]);
  });

  it('drops empty environments, so they are the same policy as none', () => {
    const withEmpty = { ...POLICY, low: { ...POLICY.low, environments: {} } };
    given(evaluationPolicyDecider, [policySet(1)])
      .when(setPolicy(withEmpty))
      .then([]);
  });

  it.each([
    ['tiers.high.minAuc', { ...POLICY, high: { ...POLICY.high, minAuc: 0.4 } }],
    ['tiers.high.minAuc', { ...POLICY, high: { ...POLICY.high, minAuc: 1.01 } }],
    ['tiers.low.minAuc', { ...POLICY, low: { minGroupSize: 20 } }],
    ['tiers.medium.maxAucDrop', { ...POLICY, medium: { ...POLICY.medium, maxAucDrop: -0.1 } }],
    [
      'tiers.low.minDemographicParityRatio',
      { ...POLICY, low: { ...POLICY.low, minDemographicParityRatio: 1.5 } },
    ],
    [
      'tiers.low.maxCalibrationError',
      { ...POLICY, low: { ...POLICY.low, maxCalibrationError: '0.1' } },
    ],
    ['tiers.low.minGroupSize', { ...POLICY, low: { ...POLICY.low, minGroupSize: 0 } }],
    ['tiers.low.minGroupSize', { ...POLICY, low: { ...POLICY.low, minGroupSize: 2.5 } }],
    ['tiers.low.minAuc', { ...POLICY, low: { ...POLICY.low, minAuc: Number.NaN } }],
    ['tiers.low.quorum', { ...POLICY, low: { ...POLICY.low, quorum: 2 } }],
    ['tiers.extreme', { ...POLICY, extreme: POLICY.low }],
    ['tiers.high', { low: POLICY.low, medium: POLICY.medium }],
    [
      'tiers.high.environments.staging.minAuc',
      { ...POLICY, high: { ...POLICY.high, environments: { staging: { minAuc: 0.3 } } } },
    ],
    [
      'tiers.high.environments.staging.minGroupSize',
      { ...POLICY, high: { ...POLICY.high, environments: { staging: { minGroupSize: null } } } },
    ],
    [
      'tiers.high.environments.staging.maxBias',
      { ...POLICY, high: { ...POLICY.high, environments: { staging: { maxBias: 0.1 } } } },
    ],
    [
      'tiers.high.environments',
      { ...POLICY, high: { ...POLICY.high, environments: { 'Prod!': { minAuc: 0.8 } } } },
    ],
    ['tiers.high.environments', { ...POLICY, high: { ...POLICY.high, environments: [] } }],
  ])('refuses a policy with a bad %s (400 naming the field)', (field, tiers) => {
    let refusal: unknown;
    try {
      evaluationPolicyDecider.decide(setPolicy(tiers), evaluationPolicyDecider.initialState());
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: 'invalid-request', status: 400 });
    expect(Object.keys((refusal as { fields: object }).fields)).toContain(field);
  });

  it('lets an environment drop an optional bound with null and keeps that null', () => {
    const [event] = given(evaluationPolicyDecider).when(setPolicy(POLICY)).events();
    expect(event.data.tiers.high.environments).toEqual({
      staging: { minAuc: 0.7, minEqualizedOddsRatio: null },
    });
  });
});
