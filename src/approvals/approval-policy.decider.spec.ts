import { given } from '../../tests/support/decider-spec';
import type { ApprovalPolicy, PolicySet, TierPolicy } from './approval.events';
import {
  DEFAULT_APPROVAL_POLICY,
  type SetApprovalPolicy,
  approvalPolicyDecider,
  currentApprovalPolicy,
  tierPolicyFor,
} from './approval-policy.decider';

const NOW = '2026-03-01T00:00:00.000Z';

const STRICT: ApprovalPolicy = {
  low: {
    stages: ['compliance-officer'],
    requirePassingEvaluation: true,
    requireGrantComment: true,
  },
  medium: {
    stages: ['risk-manager', 'compliance-officer'],
    requirePassingEvaluation: true,
    requireGrantComment: true,
  },
  high: {
    stages: ['risk-manager', 'compliance-officer'],
    requirePassingEvaluation: true,
    requireGrantComment: true,
  },
};

/** A tier as stated before grants could need a comment (or by a body that leaves it out). */
const unstated = ({ requireGrantComment: _unstated, ...tier }: TierPolicy) => tier;

const setPolicy = (
  tiers: SetApprovalPolicy['data']['tiers'],
  actor = 'cora',
): SetApprovalPolicy => ({
  type: 'SetApprovalPolicy',
  data: { tiers },
  actor,
  now: NOW,
});

const policySet = (tiers: PolicySet['data']['tiers'], setBy = 'cora'): PolicySet => ({
  type: 'PolicySet',
  data: { policy: 'approval', tiers, setBy, setAt: NOW },
});

describe('approval policy decider', () => {
  it('starts from the default: high needs a risk manager then a compliance officer', () => {
    expect(currentApprovalPolicy([])).toEqual({
      tiers: DEFAULT_APPROVAL_POLICY,
      isDefault: true,
      setBy: null,
      setAt: null,
    });
    expect(DEFAULT_APPROVAL_POLICY).toEqual({
      low: {
        stages: ['risk-manager'],
        requirePassingEvaluation: false,
        requireGrantComment: false,
      },
      medium: {
        stages: ['risk-manager'],
        requirePassingEvaluation: true,
        requireGrantComment: false,
      },
      high: {
        stages: ['risk-manager', 'compliance-officer'],
        requirePassingEvaluation: true,
        requireGrantComment: true,
      },
    });
  });

  it('folds a policy recorded before grant comments to the default: required for high only', () => {
    const old = {
      low: unstated(STRICT.low),
      medium: unstated(STRICT.medium),
      high: unstated(STRICT.high),
    };
    expect(currentApprovalPolicy([policySet(old)]).tiers).toEqual({
      low: { ...STRICT.low, requireGrantComment: false },
      medium: { ...STRICT.medium, requireGrantComment: false },
      high: { ...STRICT.high, requireGrantComment: true },
    });
    // The same policy stated again, the setting still left out, is the same fact.
    given(approvalPolicyDecider, [policySet(old)])
      .when(setPolicy(old))
      .then([]);
  });

  it('records every tier’s grant comment setting, stated or by default, and a high tier may opt out', () => {
    const tiers = {
      ...STRICT,
      low: unstated(STRICT.low),
      high: { ...STRICT.high, requireGrantComment: false },
    };
    given(approvalPolicyDecider)
      .when(setPolicy(tiers))
      .then([
        policySet({
          low: { ...STRICT.low, requireGrantComment: false },
          medium: STRICT.medium,
          high: { ...STRICT.high, requireGrantComment: false },
        }),
      ]);
  });

  it('records a new policy with who set it and when', () => {
    given(approvalPolicyDecider)
      .when(setPolicy(STRICT))
      .then([policySet(STRICT)]);
  });

  it('records the first explicit policy even when it equals the default', () => {
    given(approvalPolicyDecider)
      .when(setPolicy(DEFAULT_APPROVAL_POLICY))
      .then([policySet(DEFAULT_APPROVAL_POLICY)]);
  });

  it('is an idempotent success when the same policy is set again', () => {
    given(approvalPolicyDecider, [policySet(STRICT)])
      .when(setPolicy(STRICT, 'admin-ann'))
      .then([]);
  });

  it('folds to the latest policy', () => {
    expect(
      currentApprovalPolicy([policySet(STRICT), policySet(DEFAULT_APPROVAL_POLICY, 'ann')]),
    ).toEqual({
      tiers: DEFAULT_APPROVAL_POLICY,
      isDefault: false,
      setBy: 'ann',
      setAt: NOW,
    });
  });

  describe('no stage (automatic approval)', () => {
    const refusal = (tiers: ApprovalPolicy) => {
      try {
        approvalPolicyDecider.decide(setPolicy(tiers), approvalPolicyDecider.initialState());
      } catch (error) {
        return error as { code: string; status: number; fields: Record<string, string[]> };
      }
      throw new Error('the policy was not refused');
    };
    const automaticLow = { stages: [], requirePassingEvaluation: true, requireGrantComment: false };

    it('records it for the low tier when a passing evaluation is required', () => {
      const [event] = given(approvalPolicyDecider)
        .when(setPolicy({ ...STRICT, low: automaticLow }))
        .events();
      expect(event.data.tiers.low).toEqual(automaticLow);
    });

    it('records it in a low tier’s environment overrides', () => {
      const low = {
        ...STRICT.low,
        requirePassingEvaluation: true,
        environments: { staging: { stages: [] } },
      };
      const [event] = given(approvalPolicyDecider)
        .when(setPolicy({ ...STRICT, low }))
        .events();
      expect(tierPolicyFor(event.data.tiers as ApprovalPolicy, 'low', 'staging').stages).toEqual(
        [],
      );
    });

    it('refuses it for medium or high, a 400 naming the tier’s stages', () => {
      for (const riskTier of ['medium', 'high'] as const) {
        const error = refusal({
          ...STRICT,
          [riskTier]: { ...STRICT[riskTier], stages: [], requirePassingEvaluation: true },
        });
        expect(error).toMatchObject({ code: 'invalid-request', status: 400 });
        expect(error.fields).toEqual({
          [`tiers.${riskTier}.stages`]: [
            `a ${riskTier}-risk version needs at least one person to approve it: only the low risk tier may have no stage`,
          ],
        });
      }
      const error = refusal({
        ...STRICT,
        high: { ...STRICT.high, environments: { dev: { stages: [] } } },
      });
      expect(Object.keys(error.fields)).toEqual(['tiers.high.environments.dev.stages']);
    });

    it('refuses it without the evaluation requirement, naming what is missing', () => {
      const error = refusal({
        ...STRICT,
        low: { stages: [], requirePassingEvaluation: false, requireGrantComment: false },
      });
      expect(error).toMatchObject({ code: 'invalid-request', status: 400 });
      expect(error.fields).toEqual({
        'tiers.low.stages': [
          'no stage needs requirePassingEvaluation: true, since a passing service-run evaluation is then what approves a low-risk version',
        ],
      });
      const dropped = refusal({
        ...STRICT,
        low: { ...automaticLow, environments: { dev: { requirePassingEvaluation: false } } },
      });
      expect(Object.keys(dropped.fields)).toEqual([
        'tiers.low.environments.dev.requirePassingEvaluation',
      ]);
    });
  });

  it('refuses a tier with more than two stages', () => {
    const three = [
      'risk-manager',
      'compliance-officer',
      'risk-manager',
    ] as ApprovalPolicy['low']['stages'];
    given(approvalPolicyDecider)
      .when(
        setPolicy({
          ...STRICT,
          high: { stages: three, requirePassingEvaluation: true, requireGrantComment: true },
        }),
      )
      .thenRefuses('invalid-approval-policy', 422);
  });

  it('refuses a tier that repeats a role', () => {
    given(approvalPolicyDecider)
      .when(
        setPolicy({
          ...STRICT,
          medium: {
            stages: ['risk-manager', 'risk-manager'],
            requirePassingEvaluation: true,
            requireGrantComment: false,
          },
        }),
      )
      .thenRefuses('invalid-approval-policy', 422);
  });

  it('refuses a role that cannot decide a stage', () => {
    const stages = ['regulator'] as unknown as ApprovalPolicy['low']['stages'];
    given(approvalPolicyDecider)
      .when(
        setPolicy({
          ...STRICT,
          low: { stages, requirePassingEvaluation: false, requireGrantComment: false },
        }),
      )
      .thenRefuses('invalid-approval-policy', 422);
  });

  it('records per-environment overrides, environments in name order, and folds them back', () => {
    const tiers: ApprovalPolicy = {
      ...STRICT,
      high: {
        ...STRICT.high,
        environments: {
          staging: { stages: ['risk-manager'], requirePassingEvaluation: false },
          dev: { requireGrantComment: false },
        },
      },
    };
    const [event] = given(approvalPolicyDecider).when(setPolicy(tiers)).events();
    expect(Object.keys(event.data.tiers.high.environments ?? {})).toEqual(['dev', 'staging']);
    expect(currentApprovalPolicy([event]).tiers.high).toEqual(tiers.high);
    expect(tierPolicyFor(currentApprovalPolicy([event]).tiers, 'high', 'staging')).toEqual({
      stages: ['risk-manager'],
      requirePassingEvaluation: false,
      requireGrantComment: true,
    });
    expect(tierPolicyFor(currentApprovalPolicy([event]).tiers, 'high', 'production')).toEqual({
      stages: STRICT.high.stages,
      requirePassingEvaluation: true,
      requireGrantComment: true,
    });
    // The same overrides again, in another order, are the same policy.
    given(approvalPolicyDecider, [event])
      .when(
        setPolicy({
          ...tiers,
          high: {
            ...tiers.high,
            environments: {
              dev: { requireGrantComment: false },
              staging: { requirePassingEvaluation: false, stages: ['risk-manager'] },
            },
          },
        }),
      )
      .then([]);
  });

  it('folds a policy recorded before environments could differ to the same rules everywhere', () => {
    const old = policySet(STRICT);
    expect(old.data.tiers.low).not.toHaveProperty('environments');
    const { tiers } = currentApprovalPolicy([old]);
    expect(tiers).toEqual(STRICT);
    for (const environment of ['production', 'staging']) {
      const { environments: _none, ...low } = tiers.low;
      expect(tierPolicyFor(tiers, 'low', environment)).toEqual(low);
    }
    // Stating no environments is the same policy as that recorded one.
    given(approvalPolicyDecider, [old])
      .when(setPolicy({ ...STRICT, low: { ...STRICT.low, environments: {} } }))
      .then([]);
  });

  it.each([
    [
      'tiers.low.environments.staging.stages',
      { staging: { stages: ['risk-manager', 'compliance-officer', 'risk-manager'] } },
    ],
    ['tiers.low.environments.staging.stages', { staging: { stages: ['regulator'] } }],
    ['tiers.low.environments.staging.stages', { staging: { stages: 'risk-manager' } }],
    [
      'tiers.low.environments.staging.requirePassingEvaluation',
      { staging: { requirePassingEvaluation: 'no' } },
    ],
    ['tiers.low.environments.staging.quorum', { staging: { quorum: 2 } }],
    ['tiers.low.environments.staging', { staging: null }],
    ['tiers.low.environments', { 'Prod!': { stages: ['risk-manager'] } }],
    ['tiers.low.environments', []],
  ])('refuses a bad environment override, a 400 naming %s', (field, environments) => {
    let refusal: unknown;
    try {
      approvalPolicyDecider.decide(
        setPolicy({ ...STRICT, low: { ...STRICT.low, environments } } as unknown as ApprovalPolicy),
        approvalPolicyDecider.initialState(),
      );
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: 'invalid-request', status: 400 });
    expect(Object.keys((refusal as { fields: object }).fields)).toEqual([field]);
  });
});
