import { v7 as uuidv7 } from 'uuid';
import type { Verdict } from '../../src/evaluation/evaluation-policy';
import type { ServiceEvaluation } from '../../src/evaluation/service-evaluation';
import type { AppendResult, EventLog } from '../../src/ledger/event-log.port';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import { streams } from '../../src/ledger/stream-names';
import { seedEvent } from './seed-events';

const hash = (byte: string) => `sha256:${byte.repeat(32)}`;

export type ServiceRunOptions = {
  model: string;
  version: string;
  evaluationId?: string;
  /** Default production. */
  environment?: string;
  /** The evaluation policy version it was judged under; default 0 (the built-in default). */
  policyVersion?: number;
  /** Default true: every rule passed. False: the AUC fell below the policy's minimum. */
  passed?: boolean;
  artifactDigest?: string;
  /** The holdout: a registered dataset version, where the test has one (the audit pack reads it). */
  datasetVersion?: { name: string; version: string; contentHash: string };
  evaluatedAt?: string;
};

const deciles = (from: number, to: number) => ({
  count: 2000,
  missing: 0,
  quantiles: Array.from({ length: 11 }, (_, i) => from + ((to - from) * i) / 10),
});

/**
 * A ModelEvaluated that Attest computed (`performedBy: "attest"`) with a complete ServiceEvaluation,
 * as the evaluation-run API records it, for tests of what reads such events (the approval gate):
 * fixed, plausible aggregates of 2000 holdout rows and the verdict of the high tier's default
 * rules. No row values.
 */
export function serviceRunEvaluated(options: ServiceRunOptions): ModelEvaluated {
  const passed = options.passed ?? true;
  const environment = options.environment ?? 'production';
  const aucValue = passed ? 0.81 : 0.62;
  const datasetVersion = options.datasetVersion ?? {
    name: 'credit-holdout',
    version: '2026-02',
    contentHash: hash('c4'),
  };
  const verdict: Verdict = {
    outcome: passed ? 'pass' : 'fail',
    passed,
    results: [
      {
        rule: 'minAuc',
        value: aucValue,
        threshold: 0.7,
        comparison: '>=',
        status: passed ? 'pass' : 'fail',
      },
      {
        rule: 'maxCalibrationError',
        value: 0.031,
        threshold: 0.05,
        comparison: '<=',
        status: 'pass',
      },
      {
        rule: 'minDemographicParityRatio',
        attribute: 'age_band',
        value: 0.86,
        threshold: 0.8,
        comparison: '>=',
        status: 'pass',
      },
    ],
  };
  const service: ServiceEvaluation = {
    runId: uuidv7(),
    environment,
    inputs: {
      artifactDigest: options.artifactDigest ?? hash('a1'),
      datasetContentHash: datasetVersion.contentHash,
      championArtifactDigest: null,
      onnxruntimeVersion: '1.23.2',
      attestVersion: '0.1.0',
      policyVersion: options.policyVersion ?? 0,
    },
    settings: {
      labelColumn: 'default',
      positiveLabel: '1',
      threshold: 0.5,
      protectedAttributes: ['age_band'],
      columns: { features: ['income', 'debt_ratio', 'age', 'credit_history_months'] },
      pipelineScoreColumn: null,
      champion: null,
      scoreOutput: 'probability',
    },
    measures: {
      rows: 2000,
      positives: 412,
      metrics: {
        auc: aucValue,
        gini: 2 * aucValue - 1,
        ks: passed ? 0.47 : 0.19,
        brier: 0.142,
        accuracy: 0.812,
        precision: 0.58,
        recall: 0.41,
        f1: 0.48,
        ece: 0.031,
        hosmerLemeshow: { statistic: 9.8, degreesOfFreedom: 8, pValue: 0.28 },
      },
      calibrationBins: Array.from({ length: 10 }, (_, bin) => ({
        count: 200,
        minPredicted: bin / 10,
        maxPredicted: (bin + 1) / 10,
        meanPredicted: 0.05 + bin * 0.1,
        observedRate: 0.05 + bin * 0.097,
      })),
      champion: null,
      fairness: [
        {
          attribute: 'age_band',
          groups: [
            { group: '<25', count: 310, selectionRate: 0.19, tpr: 0.38, fpr: 0.07 },
            { group: '25+', count: 1690, selectionRate: 0.22, tpr: 0.42, fpr: 0.08 },
          ],
          demographicParityRatio: 0.86,
          demographicParityDifference: 0.03,
          equalizedOddsRatio: 0.875,
          equalizedOddsDifference: 0.04,
          equalOpportunityDifference: 0.04,
        },
      ],
      distribution: {
        score: deciles(0, 1),
        numeric: { income: deciles(12_000, 180_000), debt_ratio: deciles(0, 1.2) },
        categorical: {},
      },
      pipelineAgreement: null,
    },
    verdict,
  };
  return {
    type: 'ModelEvaluated',
    data: {
      model: options.model,
      version: options.version,
      evaluationId: options.evaluationId ?? uuidv7(),
      datasetVersion,
      metrics: { auc: aucValue, gini: 2 * aucValue - 1, ece: 0.031 },
      baseline: null,
      fairness: [],
      verdict: passed ? 'pass' : 'fail',
      evaluatedBy: 'attest',
      evaluatedAt: options.evaluatedAt ?? '2026-11-27T00:00:00.000Z',
      performedBy: 'attest',
      service,
    },
  };
}

/** Records a service-run evaluation straight in the model stream; its event and where it landed. */
export async function recordServiceRun(
  eventLog: EventLog,
  options: ServiceRunOptions & { correlationId?: string },
): Promise<{ event: ModelEvaluated; appended: AppendResult }> {
  const event = serviceRunEvaluated(options);
  // Recorded when it was evaluated, as the run's command would be.
  const recorded = seedEvent(event, { sub: 'attest', roles: ['pipeline'] }, event.data.evaluatedAt);
  if (options.correlationId) recorded.metadata.correlationId = options.correlationId;
  const appended = await eventLog.append(streams.model(options.model), [recorded], {
    expectedRevision: 'any',
  });
  return { event, appended };
}
