import { RESOURCE_NAME, RESOURCE_NAME_HINT } from '../ledger/commands/identifiers';
import { RISK_TIERS, type RiskTier } from '../model-registry/model.events';

/**
 * How many sealed batches, or hours of batches, are pooled into one PSI figure (README,
 * "Monitoring by Attest"); null: each batch on its own.
 */
export type MonitoringWindow = { batches: number } | { hours: number } | null;

/** The rules monitoring applies to one model's deployments (README, "Monitoring by Attest"). */
export type MonitoringRules = {
  /**
   * PSI above `warn` is recorded; above `alert` it is a breach that raises an alert. A figure
   * needs `minCount` observed values (pooled over the window): fewer make PSI mostly noise.
   */
  psi: { warn: number; alert: number; minCount: number };
  window: MonitoringWindow;
  /** Realised performance against the version's passing evaluation by Attest. */
  performance: { maxAucDrop: number; maxAccuracyDrop: number; minOutcomes: number };
  /** What a breach does besides its alert. */
  onBreach: { rollback: boolean; retrain: boolean };
  /** Days after the last completed training run that a retraining is due; null: no cadence. */
  retrainEveryDays: number | null;
};

/** A level's changes: each named field replaces the one below it (psi.warn alone, say). */
export type MonitoringOverrides = {
  psi?: Partial<MonitoringRules['psi']>;
  window?: MonitoringWindow;
  performance?: Partial<MonitoringRules['performance']>;
  onBreach?: Partial<MonitoringRules['onBreach']>;
  retrainEveryDays?: number | null;
};

/**
 * The monitoring policy: overrides of the built-in rules for every model, per risk tier and per
 * model. The rules in force for a model are the built-in ones, then `default`, then its tier's,
 * then its own (`effectiveRules`).
 */
export type MonitoringPolicy = {
  default: MonitoringOverrides;
  tiers: Partial<Record<RiskTier, MonitoringOverrides>>;
  models: Record<string, MonitoringOverrides>;
};

/** The rules while no policy says otherwise; README documents these values. */
export const DEFAULT_MONITORING_RULES: MonitoringRules = {
  psi: { warn: 0.1, alert: 0.25, minCount: 200 },
  window: null,
  performance: { maxAucDrop: 0.05, maxAccuracyDrop: 0.05, minOutcomes: 200 },
  onBreach: { rollback: false, retrain: false },
  retrainEveryDays: null,
};

export const EMPTY_MONITORING_POLICY: MonitoringPolicy = { default: {}, tiers: {}, models: {} };

/** Upper bounds that keep a policy sane (a PSI above 10 is a different population altogether). */
export const MAX_PSI = 10;
export const MAX_WINDOW_BATCHES = 1000;
export const MAX_WINDOW_HOURS = 24 * 366;
export const MAX_OUTCOMES = 10_000_000;
export const MAX_RETRAIN_DAYS = 3660;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const GROUPS = {
  psi: ['warn', 'alert', 'minCount'],
  performance: ['maxAucDrop', 'maxAccuracyDrop', 'minOutcomes'],
  onBreach: ['rollback', 'retrain'],
} as const;
const TOP_FIELDS = ['psi', 'window', 'performance', 'onBreach', 'retrainEveryDays'];

function numberProblem(
  value: unknown,
  {
    min,
    max,
    integer,
    exclusiveMin,
  }: { min: number; max: number; integer?: boolean; exclusiveMin?: boolean },
): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
  if (integer && !Number.isInteger(value)) return `must be a whole number from ${min} to ${max}`;
  const low = exclusiveMin ? value > min : value >= min;
  if (!low || value > max) {
    return exclusiveMin
      ? `must be above ${min} and at most ${max}`
      : `must be from ${min} to ${max}`;
  }
  return null;
}

/** Problems with one level's overrides, keyed by the field's path. */
function overrideErrors(overrides: unknown, path: string, into: Record<string, string[]>): void {
  if (!isObject(overrides)) {
    into[path] = ['must be an object'];
    return;
  }
  for (const key of Object.keys(overrides)) {
    if (!TOP_FIELDS.includes(key)) into[`${path}.${key}`] = [`${key} is not a monitoring rule`];
  }
  for (const group of ['psi', 'performance', 'onBreach'] as const) {
    const value = overrides[group];
    if (value === undefined) continue;
    const at = `${path}.${group}`;
    if (!isObject(value)) {
      into[at] = [`${group} must be an object`];
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!(GROUPS[group] as readonly string[]).includes(key)) {
        into[`${at}.${key}`] = [`${key} is not a field of ${group} (${GROUPS[group].join(', ')})`];
      }
    }
    for (const field of GROUPS[group]) {
      const v = value[field];
      if (v === undefined) continue;
      let problem: string | null;
      if (group === 'onBreach') problem = typeof v === 'boolean' ? null : 'must be true or false';
      else if (field === 'minOutcomes' || field === 'minCount')
        problem = numberProblem(v, { min: 1, max: MAX_OUTCOMES, integer: true });
      else if (group === 'psi')
        problem = numberProblem(v, { min: 0, max: MAX_PSI, exclusiveMin: true });
      else problem = numberProblem(v, { min: 0, max: 1 });
      if (problem) into[`${at}.${field}`] = [`${field} ${problem}`];
    }
  }
  const window = overrides.window;
  if (window !== undefined && window !== null) {
    const at = `${path}.window`;
    const keys = isObject(window) ? Object.keys(window) : [];
    if (!isObject(window) || keys.length !== 1 || !['batches', 'hours'].includes(keys[0])) {
      into[at] = ['window must be {"batches": n}, {"hours": h} or null'];
    } else if (keys[0] === 'batches') {
      const problem = numberProblem(window.batches, {
        min: 1,
        max: MAX_WINDOW_BATCHES,
        integer: true,
      });
      if (problem) into[`${at}.batches`] = [`batches ${problem}`];
    } else {
      const problem = numberProblem(window.hours, {
        min: 0,
        max: MAX_WINDOW_HOURS,
        exclusiveMin: true,
      });
      if (problem) into[`${at}.hours`] = [`hours ${problem}`];
    }
  }
  const days = overrides.retrainEveryDays;
  if (days !== undefined && days !== null) {
    const problem = numberProblem(days, { min: 0, max: MAX_RETRAIN_DAYS, exclusiveMin: true });
    if (problem) into[`${path}.retrainEveryDays`] = [`retrainEveryDays ${problem}`];
  }
}

/**
 * Every problem with a policy, keyed by the field's path (`tiers.high.psi.alert`,
 * `models.credit-risk.window.batches`); empty when it is valid. Besides each value's range, the
 * PSI warn level must be below the alert level in every combination a model can meet.
 */
export function monitoringPolicyErrors(policy: unknown): Record<string, string[]> {
  if (!isObject(policy)) return { policy: ['the policy must be an object'] };
  const errors: Record<string, string[]> = {};
  for (const key of Object.keys(policy)) {
    if (!['default', 'tiers', 'models'].includes(key)) {
      errors[key] = [`${key} is not part of a monitoring policy (default, tiers, models)`];
    }
  }
  if (policy.default !== undefined) overrideErrors(policy.default, 'default', errors);
  const tiers = policy.tiers ?? {};
  if (!isObject(tiers)) errors.tiers = ['tiers must be an object'];
  else {
    for (const [tier, overrides] of Object.entries(tiers)) {
      if (!(RISK_TIERS as readonly string[]).includes(tier)) {
        errors[`tiers.${tier}`] = [`${tier} is not a risk tier (${RISK_TIERS.join(', ')})`];
      } else overrideErrors(overrides, `tiers.${tier}`, errors);
    }
  }
  const models = policy.models ?? {};
  if (!isObject(models)) errors.models = ['models must be an object'];
  else {
    for (const [model, overrides] of Object.entries(models)) {
      if (!RESOURCE_NAME.test(model)) {
        errors[`models.${model}`] = [`each model name must be ${RESOURCE_NAME_HINT}`];
      } else overrideErrors(overrides, `models.${model}`, errors);
    }
  }
  if (Object.keys(errors).length > 0) return errors;

  // Every model meets the default, one tier and perhaps its own: warn < alert in each.
  const valid = policy as MonitoringPolicy;
  const levels: [string, MonitoringOverrides[]][] = [['default', [valid.default ?? {}]]];
  for (const tier of RISK_TIERS) {
    const tierOverrides = valid.tiers?.[tier];
    if (tierOverrides) levels.push([`tiers.${tier}`, [valid.default ?? {}, tierOverrides]]);
  }
  for (const [model, overrides] of Object.entries(valid.models ?? {})) {
    for (const tier of RISK_TIERS) {
      levels.push([`models.${model}`, [valid.default ?? {}, valid.tiers?.[tier] ?? {}, overrides]]);
    }
  }
  for (const [path, stack] of levels) {
    const { psi } = merged(stack);
    if (!(psi.warn < psi.alert) && !errors[`${path}.psi.warn`]) {
      errors[`${path}.psi.warn`] = [
        `psi.warn (${psi.warn}) must be below psi.alert (${psi.alert}) wherever it applies`,
      ];
    }
  }
  return errors;
}

/** The built-in rules with these levels' overrides applied in order. */
function merged(levels: readonly MonitoringOverrides[]): MonitoringRules {
  const rules: MonitoringRules = structuredClone(DEFAULT_MONITORING_RULES);
  for (const level of levels) {
    if (level.psi) rules.psi = { ...rules.psi, ...level.psi };
    if (level.performance) rules.performance = { ...rules.performance, ...level.performance };
    if (level.onBreach) rules.onBreach = { ...rules.onBreach, ...level.onBreach };
    if (level.window !== undefined) rules.window = level.window;
    if (level.retrainEveryDays !== undefined) rules.retrainEveryDays = level.retrainEveryDays;
  }
  return rules;
}

/** The rules in force for a model of this risk tier: built-in, then default, tier, model. */
export function effectiveRules(
  policy: MonitoringPolicy,
  model: string,
  riskTier: RiskTier | null,
): MonitoringRules {
  return merged([
    policy.default,
    riskTier ? (policy.tiers[riskTier] ?? {}) : {},
    policy.models[model] ?? {},
  ]);
}

/** Only known fields, in a fixed order, models sorted by name: one policy, one JSON. */
export function normalisedMonitoringPolicy(policy: Partial<MonitoringPolicy>): MonitoringPolicy {
  const level = (source: MonitoringOverrides): MonitoringOverrides => {
    const out: MonitoringOverrides = {};
    for (const group of ['psi', 'performance', 'onBreach'] as const) {
      const value = source[group] as Record<string, unknown> | undefined;
      if (!value) continue;
      const picked = Object.fromEntries(
        GROUPS[group].filter((field) => value[field] !== undefined).map((f) => [f, value[f]]),
      );
      if (Object.keys(picked).length > 0) (out as Record<string, unknown>)[group] = picked;
    }
    if (source.window !== undefined) {
      out.window =
        source.window === null
          ? null
          : 'batches' in source.window
            ? { batches: source.window.batches }
            : { hours: source.window.hours };
    }
    if (source.retrainEveryDays !== undefined) out.retrainEveryDays = source.retrainEveryDays;
    return out;
  };
  const tiers: MonitoringPolicy['tiers'] = {};
  for (const tier of RISK_TIERS) {
    const overrides = policy.tiers?.[tier];
    if (overrides) tiers[tier] = level(overrides);
  }
  const models = Object.entries(policy.models ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, overrides]) => [name, level(overrides)] as const);
  return { default: level(policy.default ?? {}), tiers, models: Object.fromEntries(models) };
}
