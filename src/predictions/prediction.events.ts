import type { DomainEvent } from '../ledger/commands/decider';

/** A summary of one batch of predictions: no inputs, no outputs, no people (docs/design.md §3). */
export type PredictionBatchRecorded = DomainEvent<
  'PredictionBatchRecorded',
  {
    batchId: string;
    deploymentId: string;
    model: string;
    version: string;
    environment: string;
    count: number;
    window: { from: string; to: string };
    /** SHA-256 over the batch's inputs, so a later dispute can show which inputs were scored. */
    inputDigest: string;
    /** Count of outputs per bucket or class, e.g. { approve: 812, refer: 140, decline: 48 }. */
    outputDistribution: Record<string, number>;
    featureSummaries: {
      feature: string;
      mean: number | null;
      stddev: number | null;
      missing: number;
    }[];
    latencyMs: { p50: number; p95: number; p99: number };
    /** Decisions taken by the model alone vs referred to a person (human-in-the-loop share). */
    decisions: { automated: number; referred: number };
    /**
     * Counts per bin against the served version's baseline (README, "Monitoring by Attest"):
     * what drift is computed from. Sealed batches always carry them; pipelines may.
     */
    bins?: BatchBins;
    /** A batch Attest sealed from its own decision receipts (README, "Decision receipts"). */
    receipts?: SealedReceipts;
    recordedBy: string;
    recordedAt: string;
  }
>;

/** One distribution binned against a baseline (see Binning in src/serving/served-model.ts). */
export type BinnedCounts = {
  /** Numeric: the inner edges; absent for categorical. */
  edges?: number[];
  /** Categorical: the baseline's categories (one more bin, last, for any other); absent for numeric. */
  categories?: string[];
  /** One count per bin: edges.length + 1, or categories.length + 1. */
  counts: number[];
  missing: number;
};

export type BatchBins = {
  baseline: { source: 'evaluation' | 'dataset-profile' | 'fixed' | 'pipeline'; id: string | null };
  score: BinnedCounts;
  features: (BinnedCounts & { feature: string })[];
};

export type SealedReceipts = {
  /** RFC 9162 Merkle root (hex) over the receipts' hashes, in `firstSeq…lastSeq` order. */
  root: string;
  count: number;
  /** The first and last receipt ids, for finding them. */
  firstReceiptId: string;
  lastReceiptId: string;
  onnxruntimeVersion: string;
  artifactDigest: string;
};

/** Outcomes that arrived later for predictions of a deployment, as metrics over a window. */
export type GroundTruthRecorded = DomainEvent<
  'GroundTruthRecorded',
  {
    groundTruthId: string;
    deploymentId: string;
    model: string;
    version: string;
    environment: string;
    batchIds: string[];
    window: { from: string; to: string };
    count: number;
    labelsDigest: string;
    metrics: Record<string, number>;
    recordedBy: string;
    recordedAt: string;
  }
>;

export type PredictionBatchEvent = PredictionBatchRecorded;
export type GroundTruthEvent = GroundTruthRecorded;

export const PREDICTION_EVENT_TYPES = [
  'PredictionBatchRecorded',
  'GroundTruthRecorded',
] as const satisfies readonly (PredictionBatchEvent | GroundTruthEvent)['type'][];
