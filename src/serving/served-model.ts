import type { ScoringModel } from '../evaluation/service-evaluation';

/**
 * What a deployment serves for one request, resolved from the ledger (README, "Serving"): the
 * deployment stream picks the version and arm, the model stream gives the stored artifact, and
 * the version's latest passing evaluation by Attest gives the threshold, the input columns and
 * the baseline drift is measured against.
 */
export type ServingArm = 'stable' | 'canary';

/** A feature a request row must carry: its name, and whether it takes numbers or text. */
export type FeatureSpec = { name: string; kind: 'numeric' | 'text'; integer: boolean };

/**
 * The baseline a version's production inputs and scores are binned against, so a sealed batch
 * carries counts per bin and drift (PSI) needs nothing else (README, "Monitoring by Attest").
 * Numeric: inner edges, ascending and distinct; bin i holds edges[i−1] ≤ v < edges[i] (bin 0
 * below edges[0], the last bin at or above the last edge). Categorical: the baseline's
 * categories; one more bin, last, for any other value (`(other)`).
 */
export type Binning = {
  /** Where the edges come from: an evaluation Attest ran, the dataset's profile, or fixed tenths. */
  source: 'evaluation' | 'dataset-profile' | 'fixed';
  /** The ModelEvaluated's evaluationId, or the dataset profile's id; null for fixed. */
  sourceId: string | null;
  score: number[];
  numeric: Record<string, number[]>;
  categorical: Record<string, string[]>;
};

export type ServedModel = {
  deploymentId: string;
  model: string;
  environment: string;
  version: string;
  arm: ServingArm;
  /** `sha256:<hex>` of the stored ONNX file. */
  artifactDigest: string;
  scoring: ScoringModel;
  /** Score at or above it: positive decision. */
  threshold: number;
  /** The label a positive decision carries, and a negative one. */
  labels: { positive: string; negative: string };
  /** The evaluation the settings came from; null when defaults were used. */
  evaluationId: string | null;
  features: FeatureSpec[];
  binning: Binning;
};

/** Bin index of a numeric value against inner edges (see Binning). */
export function numericBin(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (value >= edges[mid]) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Bin index of a category: its place among the baseline's, or the last bin for any other. */
export function categoryBin(categories: readonly string[], value: string): number {
  const at = categories.indexOf(value);
  return at < 0 ? categories.length : at;
}
