import { ENVIRONMENT, ENVIRONMENT_HINT } from '../ledger/commands/identifiers';
import { RISK_TIERS, type RiskTier } from '../model-registry/model.events';

/**
 * The rules an evaluation must meet (README, "The evaluation policy"). `minAuc` and
 * `minGroupSize` always apply; a bound left out is not checked.
 */
export type EvaluationRules = {
  /** The candidate's AUC must be at least this (0.5–1). */
  minAuc: number;
  /**
   * Non-inferiority margin against the champion: the candidate fails when the lower bound of the
   * DeLong 95% interval of (candidate − champion) AUC is below −maxAucDrop.
   */
  maxAucDrop?: number;
  /** Expected calibration error at most this (0–1). */
  maxCalibrationError?: number;
  minDemographicParityRatio?: number;
  maxDemographicParityDifference?: number;
  minEqualizedOddsRatio?: number;
  maxEqualizedOddsDifference?: number;
  maxEqualOpportunityDifference?: number;
  /** A group with fewer rows than this makes its attribute's fairness not assessable. */
  minGroupSize: number;
};

export type RuleName = keyof EvaluationRules;
/** The bounds an environment may drop (`null`): every rule but `minAuc` and `minGroupSize`. */
export type OptionalRuleName = Exclude<RuleName, 'minAuc' | 'minGroupSize'>;

/** An environment's changes to its tier's rules: a value replaces, `null` drops an optional bound. */
export type RuleOverrides = Partial<Pick<EvaluationRules, 'minAuc' | 'minGroupSize'>> &
  Partial<Record<OptionalRuleName, number | null>>;

export type TierEvaluationPolicy = EvaluationRules & {
  environments?: Record<string, RuleOverrides>;
};
export type EvaluationPolicy = Record<RiskTier, TierEvaluationPolicy>;

type RuleKind = 'auc' | 'ratio' | 'difference' | 'count';

/** Every rule, its kind (its range) and the direction it bounds, in the order results list them. */
export const RULES: Record<RuleName, { kind: RuleKind; bound: 'min' | 'max'; required: boolean }> =
  {
    minAuc: { kind: 'auc', bound: 'min', required: true },
    maxAucDrop: { kind: 'difference', bound: 'max', required: false },
    maxCalibrationError: { kind: 'difference', bound: 'max', required: false },
    minDemographicParityRatio: { kind: 'ratio', bound: 'min', required: false },
    maxDemographicParityDifference: { kind: 'difference', bound: 'max', required: false },
    minEqualizedOddsRatio: { kind: 'ratio', bound: 'min', required: false },
    maxEqualizedOddsDifference: { kind: 'difference', bound: 'max', required: false },
    maxEqualOpportunityDifference: { kind: 'difference', bound: 'max', required: false },
    minGroupSize: { kind: 'count', bound: 'min', required: true },
  };
export const RULE_NAMES = Object.keys(RULES) as RuleName[];

/** The largest group size a policy may ask for. */
export const MAX_GROUP_SIZE = 1_000_000_000;

/**
 * The policy in force while none has been set: stricter as the risk tier rises; demographic
 * parity at the four-fifths rule for every tier. README documents these values.
 */
export const DEFAULT_EVALUATION_POLICY: EvaluationPolicy = {
  low: {
    minAuc: 0.6,
    maxAucDrop: 0.05,
    maxCalibrationError: 0.1,
    minDemographicParityRatio: 0.8,
    minGroupSize: 30,
  },
  medium: {
    minAuc: 0.65,
    maxAucDrop: 0.02,
    maxCalibrationError: 0.08,
    minDemographicParityRatio: 0.8,
    maxEqualOpportunityDifference: 0.1,
    minGroupSize: 50,
  },
  high: {
    minAuc: 0.7,
    maxAucDrop: 0.01,
    maxCalibrationError: 0.05,
    minDemographicParityRatio: 0.8,
    minEqualizedOddsRatio: 0.8,
    maxEqualizedOddsDifference: 0.1,
    maxEqualOpportunityDifference: 0.1,
    minGroupSize: 100,
  },
};

function rangeProblem(kind: RuleKind, value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
  switch (kind) {
    case 'auc':
      return value >= 0.5 && value <= 1 ? null : 'must be an AUC from 0.5 to 1';
    case 'ratio':
      return value >= 0 && value <= 1 ? null : 'must be a ratio from 0 to 1';
    case 'difference':
      return value >= 0 && value <= 1 ? null : 'must be a difference from 0 to 1';
    case 'count':
      return Number.isInteger(value) && value >= 1 && value <= MAX_GROUP_SIZE
        ? null
        : `must be a whole count from 1 to ${MAX_GROUP_SIZE}`;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Unknown fields, and each rule's value out of range, keyed by the field's path. */
function ruleErrors(
  rules: Record<string, unknown>,
  path: string,
  mode: 'tier' | 'override',
  into: Record<string, string[]>,
): void {
  for (const key of Object.keys(rules)) {
    if (mode === 'tier' && key === 'environments') continue;
    if (!(key in RULES)) into[`${path}.${key}`] = [`${key} is not a rule`];
  }
  for (const name of RULE_NAMES) {
    const { kind, required } = RULES[name];
    const value = rules[name];
    if (value === undefined) {
      if (mode === 'tier' && required) into[`${path}.${name}`] = [`${name} is required`];
      continue;
    }
    if (value === null && mode === 'override' && !required) continue;
    const problem = rangeProblem(kind, value);
    if (problem) into[`${path}.${name}`] = [`${name} ${problem}`];
  }
}

/**
 * Every problem with a policy, keyed by the field's path (`tiers.high.minAuc`,
 * `tiers.low.environments.staging.maxAucDrop`); empty when it is valid.
 */
export function evaluationPolicyErrors(tiers: unknown): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  if (!isObject(tiers)) return { tiers: ['tiers must be an object'] };
  for (const key of Object.keys(tiers)) {
    if (!(RISK_TIERS as readonly string[]).includes(key)) {
      errors[`tiers.${key}`] = [`${key} is not a risk tier (${RISK_TIERS.join(', ')})`];
    }
  }
  for (const riskTier of RISK_TIERS) {
    const tier = tiers[riskTier];
    const path = `tiers.${riskTier}`;
    if (!isObject(tier)) {
      errors[path] = [`${riskTier} must be an object`];
      continue;
    }
    ruleErrors(tier, path, 'tier', errors);
    const environments = tier.environments;
    if (environments === undefined) continue;
    if (!isObject(environments)) {
      errors[`${path}.environments`] = ['environments must be an object'];
      continue;
    }
    for (const [environment, overrides] of Object.entries(environments)) {
      const at = `${path}.environments.${environment}`;
      if (!ENVIRONMENT.test(environment)) {
        errors[`${path}.environments`] = [`each environment must be ${ENVIRONMENT_HINT}`];
      } else if (!isObject(overrides)) {
        errors[at] = [`${environment} must be an object`];
      } else {
        ruleErrors(overrides, at, 'override', errors);
      }
    }
  }
  return errors;
}

/** Only the known fields, in a fixed order, environments sorted by name (one policy, one JSON). */
export function normalisedPolicy(tiers: EvaluationPolicy): EvaluationPolicy {
  const rules = <T extends object>(source: T, keepNull: boolean): T => {
    const out: Record<string, unknown> = {};
    for (const name of RULE_NAMES) {
      const value = (source as Record<string, unknown>)[name];
      if (value !== undefined && (value !== null || keepNull)) out[name] = value;
    }
    return out as T;
  };
  const tier = (riskTier: RiskTier): TierEvaluationPolicy => {
    const policy = tiers[riskTier];
    const environments = Object.entries(policy.environments ?? {}).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return {
      ...rules(policy, false),
      ...(environments.length > 0
        ? {
            environments: Object.fromEntries(
              environments.map(([name, overrides]) => [name, rules(overrides, true)]),
            ),
          }
        : {}),
    };
  };
  return { low: tier('low'), medium: tier('medium'), high: tier('high') };
}

/**
 * The rules in force for a version of this risk tier in this environment: the tier's rules, then
 * the environment's overrides (a value replaces, `null` drops the bound).
 */
export function rulesFor(
  policy: EvaluationPolicy,
  riskTier: RiskTier,
  environment?: string | null,
): EvaluationRules {
  const { environments, ...tierRules } = policy[riskTier];
  const rules: Record<string, unknown> = { ...tierRules };
  const overrides = environment ? environments?.[environment] : undefined;
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value === null) delete rules[name];
    else if (value !== undefined) rules[name] = value;
  }
  return rules as EvaluationRules;
}

/** One group of a protected attribute, as the metrics measured it. */
export type MeasuredGroup = {
  group: string;
  /** Rows of this group in the evaluation data. */
  count: number;
  selectionRate: number;
  /** True/false positive rate; null when the group has no positives/negatives. */
  tpr: number | null;
  fpr: number | null;
};

/** Fairness of one protected attribute; a metric that could not be computed is null. */
export type MeasuredFairness = {
  attribute: string;
  groups: MeasuredGroup[];
  demographicParityRatio: number | null;
  demographicParityDifference: number | null;
  equalizedOddsRatio: number | null;
  equalizedOddsDifference: number | null;
  equalOpportunityDifference: number | null;
};

/** What the evaluation measured (src/evaluation/metrics/ computes it), the input of `verdict`. */
export type MeasuredEvaluation = {
  auc: number;
  /** Candidate − champion AUC with its DeLong 95% interval; null when there is no champion. */
  champion: { difference: number; lower95: number; upper95: number } | null;
  /** Expected calibration error; null when it was not measured. */
  ece: number | null;
  fairness: MeasuredFairness[];
};

export type RuleStatus = 'pass' | 'fail' | 'not-assessable' | 'skipped';

export type RuleResult = {
  rule: RuleName;
  /** The protected attribute, for fairness rules. */
  attribute?: string;
  /** The measured value compared (for maxAucDrop: the interval's lower bound); null if none. */
  value: number | null;
  /** The value compared against (for maxAucDrop: −maxAucDrop). */
  threshold: number;
  /** The value must be at least (`>=`) or at most (`<=`) the threshold. */
  comparison: '>=' | '<=';
  status: RuleStatus;
  /** Why a rule was not assessed or skipped. */
  reason?: string;
};

export type Verdict = {
  /** `fail` if any rule failed, else `not-assessable` if any could not be assessed, else `pass`. */
  outcome: 'pass' | 'fail' | 'not-assessable';
  /** True only when the outcome is `pass`: not assessable is never passed. */
  passed: boolean;
  results: RuleResult[];
};

const FAIRNESS_METRIC: Partial<Record<RuleName, keyof MeasuredFairness>> = {
  minDemographicParityRatio: 'demographicParityRatio',
  maxDemographicParityDifference: 'demographicParityDifference',
  minEqualizedOddsRatio: 'equalizedOddsRatio',
  maxEqualizedOddsDifference: 'equalizedOddsDifference',
  maxEqualOpportunityDifference: 'equalOpportunityDifference',
};

function compare(
  rule: RuleName,
  value: number | null,
  threshold: number,
  extra: Pick<RuleResult, 'attribute'> = {},
  // maxAucDrop bounds a drop, so the interval's lower bound must be at least −maxAucDrop.
  comparison: RuleResult['comparison'] = RULES[rule].bound === 'min' || rule === 'maxAucDrop'
    ? '>='
    : '<=',
): RuleResult {
  if (value === null || !Number.isFinite(value)) {
    return {
      rule,
      ...extra,
      value: null,
      threshold,
      comparison,
      status: 'not-assessable',
      reason: 'not measured',
    };
  }
  const passed = comparison === '>=' ? value >= threshold : value <= threshold;
  return { rule, ...extra, value, threshold, comparison, status: passed ? 'pass' : 'fail' };
}

/**
 * Each rule in force with its measured value, threshold and status, and the overall outcome. Pure:
 * the metrics come in `measured`, the rules from `rulesFor`.
 */
export function verdict(rules: EvaluationRules, measured: MeasuredEvaluation): Verdict {
  const results: RuleResult[] = [compare('minAuc', measured.auc, rules.minAuc)];

  if (rules.maxAucDrop !== undefined) {
    const threshold = rules.maxAucDrop === 0 ? 0 : -rules.maxAucDrop;
    results.push(
      measured.champion === null
        ? {
            rule: 'maxAucDrop',
            value: null,
            threshold,
            comparison: '>=',
            status: 'skipped',
            reason: 'no champion to compare with',
          }
        : compare('maxAucDrop', measured.champion.lower95, threshold),
    );
  }
  if (rules.maxCalibrationError !== undefined) {
    results.push(compare('maxCalibrationError', measured.ece, rules.maxCalibrationError));
  }

  for (const fairness of measured.fairness) {
    const small = fairness.groups.filter((group) => group.count < rules.minGroupSize);
    for (const [rule, metric] of Object.entries(FAIRNESS_METRIC) as [
      RuleName,
      keyof MeasuredFairness,
    ][]) {
      const threshold = rules[rule];
      if (threshold === undefined) continue;
      const attribute = fairness.attribute;
      if (small.length > 0) {
        results.push({
          rule,
          attribute,
          value: null,
          threshold,
          comparison: RULES[rule].bound === 'min' ? '>=' : '<=',
          status: 'not-assessable',
          reason: `${small.length} of ${fairness.groups.length} groups have fewer than ${rules.minGroupSize} rows`,
        });
        continue;
      }
      results.push(compare(rule, fairness[metric] as number | null, threshold, { attribute }));
    }
  }

  const outcome = results.some((result) => result.status === 'fail')
    ? 'fail'
    : results.some((result) => result.status === 'not-assessable')
      ? 'not-assessable'
      : 'pass';
  return { outcome, passed: outcome === 'pass', results };
}
