import { DataSource } from 'typeorm';
import type { ModelDeployed } from '../../src/deployments/deployment.events';
import type { Deciles } from '../../src/evaluation/metrics';
import { deploymentId } from '../../src/ledger/commands/identifiers';
import type { EventLog, RecordedEvent } from '../../src/ledger/event-log.port';
import { streams } from '../../src/ledger/stream-names';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import { DriftMonitor } from '../../src/monitoring/drift/drift-monitor';
import type { BatchBins, BinnedCounts } from '../../src/predictions/prediction.events';
import { numericBin } from '../../src/serving/served-model';
import { deploymentSeeds } from './deployment-seeds';
import { type CreditRow, FEATURE_ORDER, creditRows, logisticRegressionScore } from './onnx';
import { recordPassingServiceEvaluation } from './service-evaluation-fixture';
import { seedEvent } from './seed-events';
import type { TestApp } from './test-app';

/**
 * Monitoring by Attest over a seeded history (README, "Monitoring by Attest"): versions with a
 * passing evaluation by Attest (its baseline deciles), a deployment serving them, and batches of
 * the seeded credit rows binned against the baseline as a pipeline or the sealer would bin them.
 */
export const MODEL = 'credit-risk';
export const ENVIRONMENT = 'production';
export const DEPLOYMENT = deploymentId(MODEL, ENVIRONMENT);

/** Registers each version (high risk) with a passing evaluation by Attest; the evaluations. */
export async function versionsWithBaselines(
  log: EventLog,
  versions: string[],
): Promise<Map<string, ModelEvaluated>> {
  const seeds = deploymentSeeds(log);
  const evaluations = new Map<string, ModelEvaluated>();
  for (const version of versions) {
    await seeds.registerModelVersion(MODEL, version);
    const { event } = await recordPassingServiceEvaluation(log, {
      model: MODEL,
      version,
      environment: ENVIRONMENT,
    });
    evaluations.set(version, event);
  }
  return evaluations;
}

/** Rollouts written straight into the deployment's stream (the deploy rules are not under test). */
export async function seedRollouts(
  log: EventLog,
  rollouts: { version: string; canaryPercent?: number }[],
): Promise<void> {
  let previous: string | null = null;
  for (const { version, canaryPercent } of rollouts) {
    const event: ModelDeployed = {
      type: 'ModelDeployed',
      data: {
        deploymentId: DEPLOYMENT,
        model: MODEL,
        version,
        environment: ENVIRONMENT,
        strategy: canaryPercent ? 'canary' : 'full',
        canaryPercent: canaryPercent ?? null,
        previousVersion: previous,
        approvalId: null,
        deployedBy: 'rita',
        deployedAt: '2026-11-28T00:00:00.000Z',
      },
    };
    await log.append(streams.deployment(DEPLOYMENT), [seedEvent(event)], {
      expectedRevision: 'any',
    });
    if (!canaryPercent) previous = version;
  }
}

const innerEdges = (deciles: Deciles) => [...new Set((deciles.quantiles ?? []).slice(1, -1))];

function binned(edges: number[], values: number[]): BinnedCounts {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) counts[numericBin(edges, value)]++;
  return { edges, counts, missing: 0 };
}

/** Seeded credit rows, optionally moved: `shift` scales income and adds to debt_ratio. */
export function sampleRows(seed: number, rows: number, shift = 0): CreditRow[] {
  return [...creditRows({ seed, rows, disparityShift: 0 })].map((row) => ({
    ...row,
    income: row.income * (1 - shift),
    debt_ratio: row.debt_ratio + shift / 2,
  }));
}

/** A prediction batch body with bins against the evaluation's baseline deciles. */
export function binnedBatchBody(
  evaluation: ModelEvaluated,
  version: string,
  rows: CreditRow[],
  window: { from: string; to: string },
) {
  const distribution = evaluation.data.service?.measures.distribution;
  if (!distribution) throw new Error('the evaluation carries no baseline');
  const scores = rows.map((row) => logisticRegressionScore(FEATURE_ORDER.map((f) => row[f])));
  const bins: BatchBins = {
    baseline: { source: 'evaluation', id: evaluation.data.evaluationId },
    score: binned(innerEdges(distribution.score), scores),
    features: FEATURE_ORDER.map((feature) => ({
      feature,
      ...binned(
        innerEdges(distribution.numeric[feature]),
        rows.map((row) => row[feature]),
      ),
    })),
  };
  const approve = scores.filter((s) => s < 0.5).length;
  return {
    version,
    count: rows.length,
    window,
    inputDigest: `sha256:${'5e'.repeat(32)}`,
    outputDistribution: { approve, refer: rows.length - approve },
    featureSummaries: [],
    latencyMs: { p50: 3, p95: 6, p99: 9 },
    decisions: { automated: rows.length, referred: 0 },
    bins,
  };
}

/** Waits until the projections have the position and every drift check is done (any replica). */
export async function driftSettled(test: TestApp, position: string, replicas: TestApp[] = [test]) {
  for (const replica of replicas) {
    if (!(await replica.runner.waitFor(position, 20_000))) throw new Error('projections behind');
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    await Promise.all(replicas.map((replica) => replica.app.get(DriftMonitor).drain()));
    const [{ n }] = (await test.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM monitoring_checks WHERE done_at IS NULL')) as {
      n: number;
    }[];
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} drift checks still waiting`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function streamEvents(log: EventLog, stream: string): Promise<RecordedEvent[]> {
  try {
    return await log.readStream(stream);
  } catch {
    return [];
  }
}
