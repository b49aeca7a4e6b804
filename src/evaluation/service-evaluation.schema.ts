import { z } from 'zod';
import type { RuleName } from './evaluation-policy';
import type { ServiceEvaluation } from './service-evaluation';

/**
 * The runtime schema of the `service` part of a ModelEvaluated (README, "Event schemas"): what
 * Attest computed and records, checked on append and on read. Its TypeScript type stays
 * ServiceEvaluation (src/evaluation/service-evaluation.ts); `satisfies` keeps the two in step.
 */

const RULE_NAMES = [
  'minAuc',
  'maxAucDrop',
  'maxCalibrationError',
  'minDemographicParityRatio',
  'maxDemographicParityDifference',
  'minEqualizedOddsRatio',
  'maxEqualizedOddsDifference',
  'maxEqualOpportunityDifference',
  'minGroupSize',
] as const satisfies readonly RuleName[];

const nullableNumber = z.number().nullable();

const deciles = z.object({
  count: z.number(),
  missing: z.number(),
  quantiles: z.array(z.number()).nullable(),
});

const frequencies = z.object({
  count: z.number(),
  missing: z.number(),
  values: z.array(z.object({ value: z.string(), count: z.number(), share: z.number() })),
});

const measuredFairness = z.object({
  attribute: z.string(),
  groups: z.array(
    z.object({
      group: z.string(),
      count: z.number(),
      selectionRate: z.number(),
      tpr: nullableNumber,
      fpr: nullableNumber,
    }),
  ),
  demographicParityRatio: nullableNumber,
  demographicParityDifference: nullableNumber,
  equalizedOddsRatio: nullableNumber,
  equalizedOddsDifference: nullableNumber,
  equalOpportunityDifference: nullableNumber,
});

export const serviceEvaluationSchema = z.object({
  runId: z.string(),
  environment: z.string(),
  inputs: z.object({
    artifactDigest: z.string(),
    datasetContentHash: z.string(),
    championArtifactDigest: z.string().nullable(),
    onnxruntimeVersion: z.string(),
    attestVersion: z.string(),
    /** The EvaluationPolicySet version in force; 0 while only the default policy exists. */
    policyVersion: z.number(),
  }),
  settings: z.object({
    labelColumn: z.string(),
    positiveLabel: z.string(),
    threshold: z.number(),
    protectedAttributes: z.array(z.string()),
    columns: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    pipelineScoreColumn: z.string().nullable(),
    champion: z.string().nullable(),
    scoreOutput: z.string(),
  }),
  measures: z.object({
    rows: z.number(),
    positives: z.number(),
    metrics: z.object({
      auc: z.number(),
      gini: z.number(),
      ks: z.number(),
      brier: z.number(),
      accuracy: z.number(),
      precision: nullableNumber,
      recall: nullableNumber,
      f1: nullableNumber,
      ece: z.number(),
      hosmerLemeshow: z.object({
        statistic: z.number(),
        degreesOfFreedom: z.number(),
        pValue: nullableNumber,
      }),
    }),
    calibrationBins: z.array(
      z.object({
        count: z.number(),
        minPredicted: z.number(),
        maxPredicted: z.number(),
        meanPredicted: z.number(),
        observedRate: z.number(),
      }),
    ),
    champion: z
      .object({
        auc: z.number(),
        difference: z.number(),
        standardError: z.number(),
        z: nullableNumber,
        pValue: nullableNumber,
        lower95: z.number(),
        upper95: z.number(),
      })
      .nullable(),
    fairness: z.array(measuredFairness),
    distribution: z.object({
      score: deciles,
      numeric: z.record(z.string(), deciles),
      categorical: z.record(z.string(), frequencies),
    }),
    pipelineAgreement: z
      .object({ column: z.string(), maxAbsoluteDifference: z.number() })
      .nullable(),
  }),
  verdict: z.object({
    outcome: z.enum(['pass', 'fail', 'not-assessable']),
    passed: z.boolean(),
    results: z.array(
      z.object({
        rule: z.enum(RULE_NAMES),
        attribute: z.string().optional(),
        value: nullableNumber,
        threshold: z.number(),
        comparison: z.enum(['>=', '<=']),
        status: z.enum(['pass', 'fail', 'not-assessable', 'skipped']),
        reason: z.string().optional(),
      }),
    ),
  }),
}) satisfies z.ZodType<ServiceEvaluation>;
