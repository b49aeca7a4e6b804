import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';

const windowSchema = z.object({ from: z.string(), to: z.string() });

/** One distribution binned against a baseline (see Binning in src/serving/served-model.ts). */
export const binnedCountsSchema = z.object({
  /** Numeric: the inner edges; absent for categorical. */
  edges: z.array(z.number()).optional(),
  /** Categorical: the baseline's categories (one more bin, last, for any other); absent for numeric. */
  categories: z.array(z.string()).optional(),
  /** One count per bin: edges.length + 1, or categories.length + 1. */
  counts: z.array(z.number()),
  missing: z.number(),
});
export type BinnedCounts = z.infer<typeof binnedCountsSchema>;

export const BASELINE_SOURCES = ['evaluation', 'dataset-profile', 'fixed', 'pipeline'] as const;

export const batchBinsSchema = z.object({
  baseline: z.object({ source: z.enum(BASELINE_SOURCES), id: z.string().nullable() }),
  score: binnedCountsSchema,
  features: z.array(binnedCountsSchema.extend({ feature: z.string() })),
});
export type BatchBins = z.infer<typeof batchBinsSchema>;

export const sealedReceiptsSchema = z.object({
  /** RFC 9162 Merkle root (hex) over the receipts' hashes, in `firstSeq…lastSeq` order. */
  root: z.string(),
  count: z.number(),
  /** The first and last receipt ids, for finding them. */
  firstReceiptId: z.string(),
  lastReceiptId: z.string(),
  onnxruntimeVersion: z.string(),
  artifactDigest: z.string(),
});
export type SealedReceipts = z.infer<typeof sealedReceiptsSchema>;

/** A summary of one batch of predictions: no inputs, no outputs, no people (docs/design.md §3). */
export const PredictionBatchRecordedEvent = defineEvent({
  type: 'PredictionBatchRecorded',
  schema: z.object({
    batchId: z.string(),
    deploymentId: z.string(),
    model: z.string(),
    version: z.string(),
    environment: z.string(),
    count: z.number(),
    window: windowSchema,
    /** SHA-256 over the batch's inputs, so a later dispute can show which inputs were scored. */
    inputDigest: z.string(),
    /** Count of outputs per bucket or class, e.g. { approve: 812, refer: 140, decline: 48 }. */
    outputDistribution: z.record(z.string(), z.number()),
    featureSummaries: z.array(
      z.object({
        feature: z.string(),
        mean: z.number().nullable(),
        stddev: z.number().nullable(),
        missing: z.number(),
      }),
    ),
    latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
    /** Decisions taken by the model alone vs referred to a person (human-in-the-loop share). */
    decisions: z.object({ automated: z.number(), referred: z.number() }),
    /**
     * Counts per bin against the served version's baseline (README, "Monitoring by Attest"):
     * what drift is computed from. Sealed batches always carry them; pipelines may.
     */
    bins: batchBinsSchema.optional(),
    /** A batch Attest sealed from its own decision receipts (README, "Decision receipts"). */
    receipts: sealedReceiptsSchema.optional(),
    recordedBy: z.string(),
    recordedAt: z.string(),
  }),
});
export type PredictionBatchRecorded = EventOf<typeof PredictionBatchRecordedEvent>;

/** Outcomes that arrived later for predictions of a deployment, as metrics over a window. */
export const GroundTruthRecordedEvent = defineEvent({
  type: 'GroundTruthRecorded',
  schema: z.object({
    groundTruthId: z.string(),
    deploymentId: z.string(),
    model: z.string(),
    version: z.string(),
    environment: z.string(),
    batchIds: z.array(z.string()),
    window: windowSchema,
    count: z.number(),
    labelsDigest: z.string(),
    metrics: z.record(z.string(), z.number()),
    recordedBy: z.string(),
    recordedAt: z.string(),
  }),
});
export type GroundTruthRecorded = EventOf<typeof GroundTruthRecordedEvent>;

export type PredictionBatchEvent = PredictionBatchRecorded;
export type GroundTruthEvent = GroundTruthRecorded;

export const PREDICTION_EVENT_TYPES = [
  'PredictionBatchRecorded',
  'GroundTruthRecorded',
] as const satisfies readonly (PredictionBatchEvent | GroundTruthEvent)['type'][];
