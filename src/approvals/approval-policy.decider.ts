import { type Decider, replay } from '../ledger/commands/decider';
import { RuleViolated } from '../ledger/commands/rule-errors';
import { canonicalJson } from '../ledger/canonical-json';
import { ENVIRONMENT, ENVIRONMENT_HINT } from '../ledger/commands/identifiers';
import { InvalidRequest } from '../ledger/ledger.errors';
import { RISK_TIERS, type RiskTier } from '../model-registry/model.events';
import {
  type ApprovalPolicy,
  type PolicySet,
  type RecordedTierPolicy,
  STAGE_ROLES,
  type TierOverrides,
  type TierPolicy,
  type TierRules,
} from './approval.events';

/**
 * The policy in force while none has been recorded: high needs two stages, and a comment with
 * every grant (the approver's reason, which the audit pack shows).
 */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  low: { stages: ['risk-manager'], requirePassingEvaluation: false, requireGrantComment: false },
  medium: { stages: ['risk-manager'], requirePassingEvaluation: true, requireGrantComment: false },
  high: {
    stages: ['risk-manager', 'compliance-officer'],
    requirePassingEvaluation: true,
    requireGrantComment: true,
  },
};

/**
 * Whether grants need a comment when a policy or request does not say (recorded before the
 * setting existed, or a request body that leaves it out): for the high risk tier only.
 */
export function defaultRequireGrantComment(riskTier: RiskTier): boolean {
  return DEFAULT_APPROVAL_POLICY[riskTier].requireGrantComment;
}

export const MAX_STAGES = 2;

/** The id of the one approval policy (its write answers `{ id: 'approval' }`). */
export const APPROVAL_POLICY_ID = 'approval';

export type SetApprovalPolicy = {
  type: 'SetApprovalPolicy';
  /** A tier that leaves `requireGrantComment` out gets its default (required for high). */
  data: { tiers: Record<RiskTier, RecordedTierPolicy> };
  actor: string;
  now: string;
};

/** The `policy-approval` stream folded: the policy in force and who set it. */
export type ApprovalPolicyState = {
  tiers: ApprovalPolicy;
  /** True while no PolicySet has been recorded. */
  isDefault: boolean;
  setBy: string | null;
  setAt: string | null;
};

export const approvalPolicyDecider: Decider<SetApprovalPolicy, PolicySet, ApprovalPolicyState> = {
  initialState: () => ({
    tiers: DEFAULT_APPROVAL_POLICY,
    isDefault: true,
    setBy: null,
    setAt: null,
  }),

  evolve(state, event) {
    if (event.data.policy !== 'approval') return state;
    const { tiers, setBy, setAt } = event.data;
    return { tiers: normalised(tiers), isDefault: false, setBy, setAt };
  },

  decide(command, state) {
    checkEnvironments(command.data.tiers);
    const tiers = normalised(command.data.tiers);
    checkNoStage(tiers);
    checkPolicy(tiers);
    // The same policy again is the same fact; the first explicit policy is recorded even if it equals the default.
    if (!state.isDefault && canonicalJson(tiers) === canonicalJson(state.tiers)) return [];
    return [
      {
        type: 'PolicySet',
        data: { policy: 'approval', tiers, setBy: command.actor, setAt: command.now },
      },
    ];
  },
};

/** The approval policy in force after these events. */
export function currentApprovalPolicy(events: readonly PolicySet[]): ApprovalPolicyState {
  return replay(approvalPolicyDecider, events);
}

/**
 * The rules for a request of this risk tier in this environment: the tier's, then what the
 * environment's overrides state. A policy recorded before environments could differ has none.
 */
export function tierPolicyFor(
  policy: ApprovalPolicy,
  riskTier: RiskTier,
  environment: string,
): TierRules {
  const { environments, ...rules } = policy[riskTier];
  return { ...rules, ...(environments?.[environment] ?? {}) };
}

/** Only the known fields of each tier, tiers in a fixed order, every setting stated. */
function normalised(tiers: Record<RiskTier, RecordedTierPolicy>): ApprovalPolicy {
  const tier = (riskTier: RiskTier): TierPolicy => {
    const policy = tiers[riskTier] as RecordedTierPolicy | undefined;
    const environments = Object.entries(policy?.environments ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, overrides]): [string, TierOverrides] => [name, normalisedOverrides(overrides)]);
    return {
      stages: [...(policy?.stages ?? [])],
      requirePassingEvaluation: policy?.requirePassingEvaluation === true,
      requireGrantComment:
        typeof policy?.requireGrantComment === 'boolean'
          ? policy.requireGrantComment
          : defaultRequireGrantComment(riskTier),
      ...(environments.length > 0 ? { environments: Object.fromEntries(environments) } : {}),
    };
  };
  return { low: tier('low'), medium: tier('medium'), high: tier('high') };
}

function normalisedOverrides(overrides: TierOverrides): TierOverrides {
  return {
    ...(overrides.stages === undefined ? {} : { stages: [...overrides.stages] }),
    ...(overrides.requirePassingEvaluation === undefined
      ? {}
      : { requirePassingEvaluation: overrides.requirePassingEvaluation }),
    ...(overrides.requireGrantComment === undefined
      ? {}
      : { requireGrantComment: overrides.requireGrantComment }),
  };
}

/** No stage at all is allowed here and checked by checkNoStage (low risk only). */
function stageProblems(stages: readonly string[]): string[] {
  const problems: string[] = [];
  if (stages.length > MAX_STAGES) {
    problems.push(`must name 0 to ${MAX_STAGES} stages (0 for the low risk tier only)`);
  }
  if (new Set(stages).size !== stages.length) problems.push('must not repeat a role');
  const unknown = stages.filter((role) => !(STAGE_ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) {
    problems.push(`${unknown.join(', ')} cannot decide a stage (${STAGE_ROLES.join(', ')})`);
  }
  return problems;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each environment's overrides checked as a request's fields: a 400 naming each one at fault. */
function checkEnvironments(tiers: Record<RiskTier, RecordedTierPolicy>): void {
  const errors: Record<string, string[]> = {};
  for (const riskTier of RISK_TIERS) {
    const environments = (tiers[riskTier] as RecordedTierPolicy | undefined)
      ?.environments as unknown;
    if (environments === undefined) continue;
    const path = `tiers.${riskTier}.environments`;
    if (!isObject(environments)) {
      errors[path] = ['environments must be an object'];
      continue;
    }
    for (const [environment, overrides] of Object.entries(environments)) {
      const at = `${path}.${environment}`;
      if (!ENVIRONMENT.test(environment)) {
        errors[path] = [`each environment must be ${ENVIRONMENT_HINT}`];
        continue;
      }
      if (!isObject(overrides)) {
        errors[at] = [`${environment} must be an object`];
        continue;
      }
      for (const [key, value] of Object.entries(overrides)) {
        if (key === 'stages') {
          const problems = Array.isArray(value)
            ? stageProblems(value.map(String))
            : ['stages must be an array of roles'];
          if (problems.length > 0) errors[`${at}.stages`] = problems;
        } else if (key === 'requirePassingEvaluation' || key === 'requireGrantComment') {
          if (typeof value !== 'boolean') errors[`${at}.${key}`] = [`${key} must be a boolean`];
        } else {
          errors[`${at}.${key}`] = [`${key} is not an approval setting`];
        }
      }
    }
  }
  if (Object.keys(errors).length > 0) {
    throw new InvalidRequest(`invalid ${Object.keys(errors).join(', ')}`, errors);
  }
}

/**
 * A tier (or an environment's overrides) with no stage approves a version with no person: allowed
 * for the low risk tier only, and only where a passing service-run evaluation is required, since
 * that evaluation is then what approves it (README, "Governance workflow"). A 400 naming the
 * setting at fault.
 */
function checkNoStage(tiers: ApprovalPolicy): void {
  const errors: Record<string, string[]> = {};
  for (const riskTier of RISK_TIERS) {
    const { environments, ...rules } = tiers[riskTier];
    const places: [string, TierRules, TierOverrides][] = [
      // The tier states every setting: its missing stage is what is named.
      [`tiers.${riskTier}`, rules, { stages: rules.stages }],
      ...Object.entries(environments ?? {}).map(
        ([environment, overrides]): [string, TierRules, TierOverrides] => [
          `tiers.${riskTier}.environments.${environment}`,
          { ...rules, ...overrides },
          overrides,
        ],
      ),
    ];
    for (const [path, effective, stated] of places) {
      if (effective.stages.length > 0) continue;
      if (riskTier !== 'low') {
        // Only where this place states the empty list: an environment inherits the tier's.
        if (stated.stages !== undefined) {
          errors[`${path}.stages`] = [
            `a ${riskTier}-risk version needs at least one person to approve it: only the low risk tier may have no stage`,
          ];
        }
        continue;
      }
      if (!effective.requirePassingEvaluation) {
        const at =
          stated.requirePassingEvaluation === false
            ? `${path}.requirePassingEvaluation`
            : `${path}.stages`;
        errors[at] = [
          'no stage needs requirePassingEvaluation: true, since a passing service-run evaluation is then what approves a low-risk version',
        ];
      }
    }
  }
  if (Object.keys(errors).length > 0) {
    throw new InvalidRequest(`invalid ${Object.keys(errors).join(', ')}`, errors);
  }
}

function checkPolicy(tiers: ApprovalPolicy): void {
  const errors: Record<string, string[]> = {};
  for (const riskTier of RISK_TIERS) {
    const problems = stageProblems(tiers[riskTier].stages);
    if (problems.length > 0) errors[`tiers.${riskTier}.stages`] = problems;
  }
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated('invalid-approval-policy', 'the approval policy is not valid', {
      errors,
    });
  }
}
