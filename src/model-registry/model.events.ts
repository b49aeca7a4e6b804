import type { DatasetVersionFact } from '../datasets/dataset.events';
import type { DomainEvent } from '../ledger/commands/decider';
import type { ServiceEvaluation } from '../evaluation/service-evaluation';

export const RISK_TIERS = ['low', 'medium', 'high'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

/** How far decisions about people rest on the model (APP 1.7, ASIC REP 798). */
export const DECISION_CLASSES = ['solely-automated', 'substantially-assists', 'advisory'] as const;
export type DecisionClass = (typeof DECISION_CLASSES)[number];

export type ModelVersionRegistered = DomainEvent<
  'ModelVersionRegistered',
  {
    model: string;
    version: string;
    runId: string;
    /** The run's author, kept here so four-eyes checks need only this stream. */
    trainedBy: string;
    datasetVersions: DatasetVersionFact[];
    artifactDigest: string;
    riskTier: RiskTier;
    decisionClass: DecisionClass;
    /** Kinds of personal information the model uses (APP 1.7 register), e.g. `financial`. */
    personalInformationKinds: string[];
    /** The decisions it makes or supports, e.g. `approve or refer a consumer credit application`. */
    decisions: string;
    intendedUse: string;
    limitations: string[];
    /** The named accountable owner (ASIC REP 798). */
    owner: string;
    /** Null for models built in-house; the supplier for vendor models. */
    vendor: string | null;
    registeredBy: string;
    registeredAt: string;
  }
>;

/** A model card change: only the fields named change; earlier values stay in the ledger. */
export type ModelCardUpdated = DomainEvent<
  'ModelCardUpdated',
  {
    model: string;
    version: string;
    changes: {
      intendedUse?: string;
      limitations?: string[];
      owner?: string;
      decisions?: string;
      personalInformationKinds?: string[];
      explainability?: string;
      humanOversight?: string;
      consumerDisclosure?: string;
      monitoringCadence?: string;
    };
    updatedBy: string;
    updatedAt: string;
  }
>;

export type FairnessResult = {
  /** The protected attribute, e.g. `age-band`. */
  attribute: string;
  metric: string;
  value: number;
  threshold: number;
  /** Metric per group of the attribute. */
  groups: Record<string, number>;
  passed: boolean;
};

export type ModelEvaluated = DomainEvent<
  'ModelEvaluated',
  {
    model: string;
    version: string;
    evaluationId: string;
    datasetVersion: DatasetVersionFact;
    metrics: Record<string, number>;
    baseline: { version: string | null; metrics: Record<string, number> } | null;
    fairness: FairnessResult[];
    verdict: 'pass' | 'fail';
    evaluatedBy: string;
    evaluatedAt: string;
    /**
     * Who computed the figures: `pipeline` posted them (events recorded before Attest ran models
     * have no field, and mean the same); `attest` scored the stored artifact on the stored data
     * itself, and `service` says with what (README, "Evaluation runs").
     */
    performedBy?: 'pipeline' | 'attest';
    service?: ServiceEvaluation;
  }
>;

export type ModelVersionRetired = DomainEvent<
  'ModelVersionRetired',
  { model: string; version: string; reason: string; retiredBy: string; retiredAt: string }
>;

/** One input or output of an ONNX graph. */
export type OnnxValueInfo = {
  name: string;
  /** `tensor`, or `sequence`, `map`, `optional`, `sparse-tensor` (e.g. a ZipMap's seq(map)). */
  kind: 'tensor' | 'sequence' | 'map' | 'optional' | 'sparse-tensor' | 'unknown';
  /** Tensor element type as a name (`float32`, `int64`, …); null for non-tensors. */
  elementType: string | null;
  /** Dimensions: a number, a symbolic name, or null when unnamed; null when the rank is unknown. */
  shape: (number | string | null)[] | null;
};

/** The version's ONNX file was stored; its bytes hash to the registered artifact digest. */
export type ModelArtifactStored = DomainEvent<
  'ModelArtifactStored',
  {
    model: string;
    version: string;
    /** `sha256:<hex>`, equal to the registration's artifactDigest. */
    digest: string;
    size: number;
    irVersion: number;
    producerName: string;
    producerVersion: string;
    /** Operator set version per domain (`` is the default ONNX domain, `ai.onnx.ml` …). */
    opsets: { domain: string; version: number }[];
    /** The operator types the graph uses, sorted and unique. */
    operators: { domain: string; opType: string }[];
    inputs: OnnxValueInfo[];
    outputs: OnnxValueInfo[];
    /** The first float tensor output: the score a prediction reports. */
    scoreOutput: string;
    /** The onnxruntime that loaded the file. */
    onnxruntimeVersion: string;
    storedBy: string;
    storedAt: string;
  }
>;

/** Everything stored in a `model-<name>` stream (all versions of one model). */
export type ModelEvent =
  | ModelVersionRegistered
  | ModelCardUpdated
  | ModelEvaluated
  | ModelVersionRetired
  | ModelArtifactStored;

export const MODEL_EVENT_TYPES = [
  'ModelVersionRegistered',
  'ModelCardUpdated',
  'ModelEvaluated',
  'ModelVersionRetired',
  'ModelArtifactStored',
] as const satisfies readonly ModelEvent['type'][];
