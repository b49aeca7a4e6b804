import { v7 as uuidv7 } from 'uuid';
import {
  DEFAULT_EVALUATION_POLICY,
  type EvaluationRules,
  rulesFor,
  verdict,
} from '../../src/evaluation/evaluation-policy';
import {
  championComparison,
  measuredFairness,
  scoreMetrics,
} from '../../src/evaluation/engine/measures';
import { deciles, maxAbsoluteDifference, predictAtThreshold } from '../../src/evaluation/metrics';
import type { ServiceEvaluation } from '../../src/evaluation/service-evaluation';
import type { AppendResult, EventLog } from '../../src/ledger/event-log.port';
import type { ModelEvaluated, RiskTier } from '../../src/model-registry/model.events';
import { streams } from '../../src/ledger/stream-names';
import { seedEvent } from './seed-events';
import {
  type CreditRow,
  FEATURE_ORDER,
  creditRows,
  logisticRegressionScore,
  treeEnsembleScore,
} from './onnx';

const hash = (byte: string) => `sha256:${byte.repeat(32)}`;

/**
 * A sample of the seeded credit data with no planted disparity on which the fixture model passes
 * every default rule of every tier (the high tier's equalized-odds ratio included); the default
 * sample (seed 7, the `<25` disparity) fails the fairness rules.
 */
export const PASSING_SAMPLE = { seed: 11, rows: 2000, disparityShift: 0 } as const;

export type ServiceEvaluationOptions = {
  model: string;
  version: string;
  environment?: string;
  riskTier?: RiskTier;
  /** The rules the verdict applies; default: DEFAULT_EVALUATION_POLICY's for the tier and environment. */
  rules?: EvaluationRules;
  /** Rows of the seeded credit dataset scored (default 2000: every group of the high tier assessable). */
  rows?: number;
  seed?: number;
  /** The `<25` group's debt_ratio shift (credit-dataset.ts); 0 plants no disparity. */
  disparityShift?: number;
  threshold?: number;
  /** The champion version compared with (scored with the tree ensemble); null: none. */
  champion?: string | null;
  datasetVersion?: { name: string; version: string; contentHash: string };
  /** The candidate's registered artifact digest. */
  artifactDigest?: string;
  evaluatedAt?: string;
  /** Who asked for the run (default `ci-pipeline`). */
  evaluatedBy?: string;
};

/**
 * A ModelEvaluated that Attest computed (`performedBy: "attest"`), as the evaluation-run API
 * records it: the fixture logistic regression's scores (what onnxruntime gives for
 * logisticRegressionModel()) over the seeded credit dataset, measured with src/evaluation/metrics,
 * the tree ensemble as the champion, and the verdict of the policy's rules. Aggregates only.
 */
export function serviceEvaluated(options: ServiceEvaluationOptions): ModelEvaluated {
  const environment = options.environment ?? 'production';
  const riskTier = options.riskTier ?? 'high';
  const rules = options.rules ?? rulesFor(DEFAULT_EVALUATION_POLICY, riskTier, environment);
  const threshold = options.threshold ?? 0.5;
  const champion = options.champion === undefined ? '0.9.0' : options.champion;
  const rows: CreditRow[] = [
    ...creditRows({
      seed: options.seed ?? 7,
      rows: options.rows ?? 2000,
      disparityShift: options.disparityShift,
    }),
  ];
  const features = rows.map((row) => FEATURE_ORDER.map((name) => row[name]));
  const scores = Float64Array.from(features.map((row) => logisticRegressionScore(row)));
  const labels = Float64Array.from(rows.map((row) => row.default));
  const championScores = Float64Array.from(features.map((row) => treeEnsembleScore(row)));
  const predicted = predictAtThreshold(scores, threshold);
  const measures: ServiceEvaluation['measures'] = {
    rows: rows.length,
    positives: labels.reduce((n, label) => n + label, 0),
    ...scoreMetrics(scores, labels, threshold),
    champion: champion === null ? null : championComparison(scores, championScores, labels),
    fairness: (['age_band', 'sex'] as const).map((attribute) =>
      measuredFairness(
        attribute,
        rows.map((row) => row[attribute]),
        labels,
        predicted,
        rules.minGroupSize,
      ),
    ),
    distribution: {
      score: deciles(scores),
      numeric: Object.fromEntries(
        FEATURE_ORDER.map((name) => [name, deciles(rows.map((row) => row[name]))]),
      ),
      categorical: {},
    },
    pipelineAgreement: {
      column: 'pipeline_score',
      maxAbsoluteDifference: maxAbsoluteDifference(
        scores,
        rows.map((row) => row.pipeline_score),
      ).maxAbsoluteDifference,
    },
  };
  const { champion: comparison, fairness: measuredFairnessResults } = measures;
  const judged = verdict(rules, {
    auc: measures.metrics.auc,
    champion: comparison,
    ece: measures.metrics.ece,
    fairness: measuredFairnessResults,
  });
  const datasetVersion = options.datasetVersion ?? {
    name: 'credit-holdout',
    version: '2026-02',
    contentHash: hash('c4'),
  };
  // The run's id is the evaluation's (README, "Evaluation runs").
  const evaluationId = uuidv7();
  const service: ServiceEvaluation = {
    runId: evaluationId,
    environment,
    inputs: {
      artifactDigest: options.artifactDigest ?? hash('a1'),
      datasetContentHash: datasetVersion.contentHash,
      championArtifactDigest: champion === null ? null : hash('b2'),
      onnxruntimeVersion: '1.23.2',
      attestVersion: '0.1.0',
      policyVersion: 0,
    },
    settings: {
      labelColumn: 'default',
      positiveLabel: '1',
      threshold,
      protectedAttributes: ['age_band', 'sex'],
      columns: { features: [...FEATURE_ORDER] },
      pipelineScoreColumn: 'pipeline_score',
      champion,
      scoreOutput: 'probability',
    },
    measures,
    verdict: judged,
  };
  const fairnessResults = judged.results
    .filter((result) => result.attribute !== undefined && result.value !== null)
    .map((result) => {
      const measured = measuredFairnessResults.find((f) => f.attribute === result.attribute);
      return {
        attribute: result.attribute as string,
        metric: result.rule,
        value: result.value as number,
        threshold: result.threshold,
        groups: Object.fromEntries(
          (measured?.groups ?? []).map((group) => [group.group, group.selectionRate]),
        ),
        passed: result.status === 'pass',
      };
    });
  return {
    type: 'ModelEvaluated',
    data: {
      model: options.model,
      version: options.version,
      evaluationId,
      datasetVersion,
      metrics: {
        auc: measures.metrics.auc,
        gini: measures.metrics.gini,
        ks: measures.metrics.ks,
        brier: measures.metrics.brier,
        ece: measures.metrics.ece,
      },
      baseline:
        comparison && champion !== null
          ? { version: champion, metrics: { auc: comparison.auc } }
          : null,
      fairness: fairnessResults,
      verdict: judged.passed ? 'pass' : 'fail',
      evaluatedBy: options.evaluatedBy ?? 'ci-pipeline',
      evaluatedAt: options.evaluatedAt ?? '2026-11-27T00:00:00.000Z',
      performedBy: 'attest',
      service,
    },
  };
}

/**
 * Appends a passing evaluation Attest computed (PASSING_SAMPLE) to the version's model stream, as
 * the evaluation-run API records one: for suites whose history needs a version the approval gate
 * lets through (README, "Evaluation runs") without running a model.
 */
export async function recordPassingServiceEvaluation(
  eventLog: EventLog,
  options: ServiceEvaluationOptions,
): Promise<{ event: ModelEvaluated; appended: AppendResult }> {
  const event = serviceEvaluated({ ...PASSING_SAMPLE, ...options });
  if (!event.data.service?.verdict.passed) {
    throw new Error(
      `the passing sample did not pass: ${JSON.stringify(event.data.service?.verdict)}`,
    );
  }
  // Recorded when it was evaluated, as the run's own append would be.
  const appended = await eventLog.append(
    streams.model(options.model),
    [seedEvent(event, undefined, event.data.evaluatedAt)],
    { expectedRevision: 'any' },
  );
  return { event, appended };
}
