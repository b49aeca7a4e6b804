import type { OnnxValueInfo } from '../model-registry/model.events';
import type { CalibrationBin, Deciles, Frequencies } from './metrics';
import type { MeasuredFairness, Verdict } from './evaluation-policy';

/**
 * An evaluation Attest runs itself (README, "Evaluation runs"): the settings a caller gives, the
 * job a scoring worker is handed, and what it measures. The measures are aggregates only: no row,
 * and no value of a row, leaves the worker.
 */

/** Where a model input's values come from: one column (an `[N]` or `[N, 1]` input) or several, in order (`[N, k]`). */
export type InputColumns = string | string[];

/** What the caller of POST /models/{name}/versions/{version}/evaluation-runs chooses. */
export type EvaluationSettings = {
  /** The environment the version is meant for: its evaluation policy and its serving champion. */
  environment: string;
  /** The holdout: a registered dataset version whose data is stored. */
  dataset: { name: string; version: string };
  labelColumn: string;
  /** The label value (as written in the file) that counts as positive (1). */
  positiveLabel: string;
  /** Score at or above it: predicted positive. */
  threshold: number;
  protectedAttributes: string[];
  /** Model input name → column(s); an input left out takes the column of the same name. */
  columns: Record<string, InputColumns>;
  /** A column holding the pipeline's own score for each row, compared with onnxruntime's; null: none. */
  pipelineScoreColumn: string | null;
  /** The champion version compared with; null: none (no version serves the environment, or none asked). */
  champion: string | null;
};

/** A model as a scoring worker loads it. */
export type ScoringModel = {
  /** The stored artifact file (content-addressed under ARTIFACT_DIR). */
  artifactPath: string;
  inputs: OnnxValueInfo[];
  /** The tensor output read as the score; an `[N, 2]` output gives column 1 (the positive class). */
  scoreOutput: string;
  /** Input name → column(s), every input resolved. */
  columns: Record<string, InputColumns>;
};

/** Everything a worker needs: paths and names, nothing that must be parsed twice. */
export type EvaluationJob = {
  candidate: ScoringModel;
  champion: ScoringModel | null;
  dataset: {
    /** The stored CSV file. */
    path: string;
    rows: number;
  };
  labelColumn: string;
  positiveLabel: string;
  threshold: number;
  protectedAttributes: string[];
  pipelineScoreColumn: string | null;
  /** The policy's smallest assessable group: fairness marks smaller groups not assessable. */
  minGroupSize: number;
  /** Category values seen in fewer rows are pooled as `(other)` in the baseline frequencies. */
  minCategoryCount: number;
};

/** What the worker measured on the job's rows. */
export type EvaluationMeasures = {
  rows: number;
  positives: number;
  metrics: {
    auc: number;
    gini: number;
    ks: number;
    brier: number;
    accuracy: number;
    /** Null when 0/0 (nothing predicted positive, or no positive label). */
    precision: number | null;
    recall: number | null;
    f1: number | null;
    /** Expected calibration error over 10 equal-count bins. */
    ece: number;
    hosmerLemeshow: { statistic: number; degreesOfFreedom: number; pValue: number | null };
  };
  calibrationBins: CalibrationBin[];
  /** Candidate − champion AUC on the same rows, paired DeLong; null without a champion. */
  champion: {
    auc: number;
    difference: number;
    standardError: number;
    z: number | null;
    pValue: number | null;
    lower95: number;
    upper95: number;
  } | null;
  fairness: MeasuredFairness[];
  /** The baseline drift monitoring compares production against. */
  distribution: {
    score: Deciles;
    /** Every numeric model input column. */
    numeric: Record<string, Deciles>;
    /** Every categorical model input column (rare values pooled as `(other)`). */
    categorical: Record<string, Frequencies>;
  };
  /** Largest |pipeline score − onnxruntime score|; null without a pipeline score column. */
  pipelineAgreement: { column: string; maxAbsoluteDifference: number } | null;
  timings: { readMs: number; scoringMs: number; metricsMs: number };
};

/** Progress a worker reports while it reads and scores. */
export type EvaluationProgress = { rowsScored: number; rowsTotal: number };

/**
 * The `service` part of a ModelEvaluated that Attest computed (`performedBy: "attest"`): every
 * input by digest, the settings, the measures and the verdict under the policy in force.
 */
export type ServiceEvaluation = {
  runId: string;
  environment: string;
  inputs: {
    artifactDigest: string;
    datasetContentHash: string;
    championArtifactDigest: string | null;
    onnxruntimeVersion: string;
    attestVersion: string;
    /** The EvaluationPolicySet version in force; 0 while only the default policy exists. */
    policyVersion: number;
  };
  settings: Omit<EvaluationSettings, 'environment' | 'dataset'> & { scoreOutput: string };
  measures: Omit<EvaluationMeasures, 'timings'>;
  verdict: Verdict;
};
