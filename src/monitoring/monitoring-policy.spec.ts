import { InvalidRequest } from '../ledger/ledger.errors';
import {
  DEFAULT_MONITORING_RULES,
  EMPTY_MONITORING_POLICY,
  type MonitoringPolicy,
  effectiveRules,
  monitoringPolicyErrors,
} from './monitoring-policy';
import { currentMonitoringPolicy, monitoringPolicyDecider } from './monitoring-policy.decider';

const policy: MonitoringPolicy = {
  default: { psi: { alert: 0.3 }, window: { batches: 3 } },
  tiers: { high: { onBreach: { rollback: true }, psi: { warn: 0.05 } } },
  models: { 'credit-risk': { window: { hours: 24 }, retrainEveryDays: 30 } },
};

describe('monitoring policy', () => {
  it('applies the built-in rules, then default, tier and model', () => {
    expect(effectiveRules(EMPTY_MONITORING_POLICY, 'any', 'low')).toEqual(DEFAULT_MONITORING_RULES);
    expect(effectiveRules(policy, 'credit-risk', 'high')).toEqual({
      ...DEFAULT_MONITORING_RULES,
      psi: { warn: 0.05, alert: 0.3, minCount: 200 },
      window: { hours: 24 },
      onBreach: { rollback: true, retrain: false },
      retrainEveryDays: 30,
    });
    expect(effectiveRules(policy, 'fraud', 'low')).toEqual({
      ...DEFAULT_MONITORING_RULES,
      psi: { warn: 0.1, alert: 0.3, minCount: 200 },
      window: { batches: 3 },
    });
  });

  it('names every field at fault', () => {
    expect(
      monitoringPolicyErrors({
        default: { psi: { warn: -1 }, window: { days: 2 }, colour: 'red' },
        tiers: { extreme: {}, low: { performance: { minOutcomes: 1.5, maxAucDrop: 2 } } },
        models: { 'Bad Name': {}, fraud: { onBreach: { rollback: 'yes' }, retrainEveryDays: 0 } },
        extra: true,
      }),
    ).toEqual({
      extra: [expect.stringContaining('not part of a monitoring policy')],
      'default.colour': ['colour is not a monitoring rule'],
      'default.psi.warn': ['warn must be above 0 and at most 10'],
      'default.window': ['window must be {"batches": n}, {"hours": h} or null'],
      'tiers.extreme': ['extreme is not a risk tier (low, medium, high)'],
      'tiers.low.performance.maxAucDrop': ['maxAucDrop must be from 0 to 1'],
      'tiers.low.performance.minOutcomes': [expect.stringContaining('whole number')],
      'models.Bad Name': [expect.stringContaining('each model name must be')],
      'models.fraud.onBreach.rollback': ['rollback must be true or false'],
      'models.fraud.retrainEveryDays': ['retrainEveryDays must be above 0 and at most 3660'],
    });
  });

  it('needs warn below alert wherever a model meets them', () => {
    expect(monitoringPolicyErrors({ default: { psi: { warn: 0.3 } } })).toEqual({
      'default.psi.warn': [expect.stringContaining('must be below psi.alert')],
    });
    // Fine on its own, but a high-risk model would meet alert 0.2 under warn 0.25.
    expect(
      monitoringPolicyErrors({
        tiers: { high: { psi: { alert: 0.2 } } },
        models: { m: { psi: { warn: 0.22 } } },
      }),
    ).toEqual({ 'models.m.psi.warn': [expect.stringContaining('must be below psi.alert')] });
  });

  it('records versions, and the same policy again records nothing', () => {
    const set = (p: unknown) => ({
      type: 'SetMonitoringPolicy' as const,
      data: { policy: p as MonitoringPolicy },
      actor: 'ada',
      now: '2026-12-01T00:00:00.000Z',
    });
    const first = monitoringPolicyDecider.decide(
      set(policy),
      monitoringPolicyDecider.initialState(),
    );
    expect(first).toHaveLength(1);
    expect(first[0].data.version).toBe(1);
    const state = currentMonitoringPolicy(first);
    expect(state.policy).toEqual(policy);
    expect(monitoringPolicyDecider.decide(set(policy), state)).toEqual([]);
    expect(() => monitoringPolicyDecider.decide(set({ default: { psi: 1 } }), state)).toThrow(
      InvalidRequest,
    );
  });
});
