import type { Decider } from '../ledger/commands/decider';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import type { DeploymentStanding } from './deployment-standing';
import type {
  BatchBins,
  BinnedCounts,
  PredictionBatchEvent,
  PredictionBatchRecorded,
} from './prediction.events';

export type RecordPredictionBatch = {
  type: 'RecordPredictionBatch';
  data: Omit<PredictionBatchRecorded['data'], 'recordedBy' | 'recordedAt'>;
  /** The deployment's stream, folded by the handler. */
  deployment: DeploymentStanding;
  /**
   * A batch Attest sealed from its own decision receipts (README, "Decision receipts"): each was
   * written while the version served, so the batch is recorded even after a rollback or
   * retirement; it needs only the deployment to be recorded, and must carry `receipts`.
   */
  sealed?: boolean;
  actor: string;
  now: string;
};

export type PredictionBatchCommand = RecordPredictionBatch;

/** One batch: the `prediction-batch-<id>` stream folded. */
export type PredictionBatchState =
  { status: 'none' } | { status: 'recorded'; deploymentId: string; version: string; count: number };

export const predictionBatchDecider: Decider<
  PredictionBatchCommand,
  PredictionBatchEvent,
  PredictionBatchState
> = {
  initialState: () => ({ status: 'none' }),

  // One event type per stream: the batch is recorded once.
  evolve(_state, event) {
    const { deploymentId, version, count } = event.data;
    return { status: 'recorded', deploymentId, version, count };
  },

  decide(command, state) {
    // The batch id comes from the request's Idempotency-Key: recorded means this is a retry.
    if (state.status === 'recorded') return [];
    const { data } = command;
    if (command.sealed) checkRecorded(command.deployment);
    else checkServing(command.deployment, data.version);
    checkSummary(data, command.sealed === true);
    return [
      {
        type: 'PredictionBatchRecorded',
        data: { ...data, recordedBy: command.actor, recordedAt: command.now },
      },
    ];
  },
};

function checkRecorded(deployment: DeploymentStanding): void {
  if (deployment.status === 'unrecorded') {
    throw new NotRecorded('deployment', deployment.deploymentId);
  }
}

/** Predictions are recorded only where the deployment serves, and only from a version it serves. */
function checkServing(deployment: DeploymentStanding, version: string): void {
  checkRecorded(deployment);
  if (deployment.status !== 'active') {
    throw new StateConflict(
      'deployment-not-active',
      `${deployment.deploymentId} is ${deployment.status}: it serves no predictions`,
      { deploymentStatus: deployment.status },
    );
  }
  if (!deployment.servingVersions.includes(version)) {
    throw new RuleViolated(
      'version-not-serving',
      `${version} does not serve in ${deployment.deploymentId} (serving: ${deployment.servingVersions.join(', ')})`,
      {
        servingVersions: deployment.servingVersions,
        errors: { version: ['not the version serving, nor the canary'] },
      },
    );
  }
}

/** The summary's figures must agree with each other; every disagreement is named. */
function checkSummary(data: RecordPredictionBatch['data'], sealed: boolean): void {
  const errors: Record<string, string[]> = {};
  const { count } = data;
  if (!Number.isInteger(count) || count < 1)
    errors.count = ['must be a whole number of at least 1'];
  if (sealed && !data.receipts) errors.receipts = ['a sealed batch carries its receipts'];
  if (sealed && !data.bins) errors.bins = ['a sealed batch carries its bins'];
  if (data.receipts && data.receipts.count !== count) {
    errors['receipts.count'] = [`is ${data.receipts.count}, but count is ${count}`];
  }
  const windowError = windowProblem(data.window);
  if (windowError) errors['window.to'] = [windowError];

  const buckets = Object.entries(data.outputDistribution);
  const badBuckets = buckets.filter(([, n]) => !isCount(n)).map(([bucket]) => bucket);
  if (badBuckets.length > 0) {
    errors.outputDistribution = [`not a non-negative whole number: ${badBuckets.join(', ')}`];
  } else {
    const total = buckets.reduce((sum, [, n]) => sum + n, 0);
    if (total !== count) {
      errors.outputDistribution = [`sums to ${total}, but count is ${count}`];
    }
  }

  const { automated, referred } = data.decisions;
  if (!isCount(automated) || !isCount(referred) || automated + referred !== count) {
    errors.decisions = [`automated + referred must equal count (${count})`];
  }

  const { p50, p95, p99 } = data.latencyMs;
  if (![p50, p95, p99].every((ms) => Number.isFinite(ms) && ms >= 0) || p50 > p95 || p95 > p99) {
    errors.latencyMs = ['must be non-negative with p50 ≤ p95 ≤ p99'];
  }

  const seen = new Set<string>();
  data.featureSummaries.forEach((summary, index) => {
    const at = `featureSummaries.${index}`;
    if (seen.has(summary.feature)) errors[`${at}.feature`] = [`${summary.feature} appears twice`];
    seen.add(summary.feature);
    if (!isCount(summary.missing) || summary.missing > count) {
      errors[`${at}.missing`] = [`must be a whole number from 0 to count (${count})`];
    }
    if (summary.stddev !== null && !(summary.stddev >= 0)) {
      errors[`${at}.stddev`] = ['must not be negative'];
    }
  });

  if (data.bins) binErrors(data.bins, count, errors);

  if (Object.keys(errors).length > 0) {
    throw new RuleViolated(
      'inconsistent-batch-summary',
      `the batch summary does not add up: ${Object.keys(errors).join(', ')}`,
      { errors },
    );
  }
}

/**
 * Per-bin counts must fit their bins and add up (README, "Monitoring by Attest"): numeric bins
 * have strictly ascending finite inner edges and one more count than edges, categorical bins
 * distinct categories and one more count (any other value); counts plus missing make count.
 */
function binErrors(bins: BatchBins, count: number, errors: Record<string, string[]>): void {
  const check = (binned: BinnedCounts, at: string) => {
    const { edges, categories, counts, missing } = binned;
    if ((edges === undefined) === (categories === undefined)) {
      errors[at] = ['needs edges (numeric) or categories (categorical), not both'];
      return;
    }
    const bounds = edges ?? categories ?? [];
    if (edges && !edges.every((e, i) => Number.isFinite(e) && (i === 0 || e > edges[i - 1]))) {
      errors[`${at}.edges`] = ['must be finite and strictly ascending'];
    }
    if (categories && new Set(categories).size !== categories.length) {
      errors[`${at}.categories`] = ['must be distinct'];
    }
    if (counts.length !== bounds.length + 1) {
      errors[`${at}.counts`] = [
        `has ${counts.length} counts: ${bounds.length + 1} expected (one more than ${edges ? 'edges' : 'categories'})`,
      ];
    } else if (!counts.every(isCount) || !isCount(missing)) {
      errors[`${at}.counts`] = ['counts and missing must be non-negative whole numbers'];
    } else {
      const total = counts.reduce((sum, n) => sum + n, 0);
      if (total + missing !== count) {
        errors[`${at}.counts`] = [`sum to ${total} with ${missing} missing, but count is ${count}`];
      }
    }
  };
  check(bins.score, 'bins.score');
  const seen = new Set<string>();
  bins.features.forEach((feature, index) => {
    const at = `bins.features.${index}`;
    if (seen.has(feature.feature)) errors[`${at}.feature`] = [`${feature.feature} appears twice`];
    seen.add(feature.feature);
    check(feature, at);
  });
}

export function windowProblem(window: { from: string; to: string }): string | undefined {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return 'window.from and window.to must be instants';
  return from < to ? undefined : 'must be after window.from';
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
