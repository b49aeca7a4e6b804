import { z } from 'zod';
import { datasetVersionFactSchema } from '../datasets/dataset.events';
import { serviceEvaluationSchema } from '../evaluation/service-evaluation.schema';
import { type EventOf, defineEvent } from '../ledger/events/define-event';

export const RISK_TIERS = ['low', 'medium', 'high'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

/** How far decisions about people rest on the model (APP 1.7, ASIC REP 798). */
export const DECISION_CLASSES = ['solely-automated', 'substantially-assists', 'advisory'] as const;
export type DecisionClass = (typeof DECISION_CLASSES)[number];

export const ModelVersionRegisteredEvent = defineEvent({
  type: 'ModelVersionRegistered',
  schema: z.object({
    model: z.string(),
    version: z.string(),
    runId: z.string(),
    /** The run's author, kept here so four-eyes checks need only this stream. */
    trainedBy: z.string(),
    datasetVersions: z.array(datasetVersionFactSchema),
    artifactDigest: z.string(),
    riskTier: z.enum(RISK_TIERS),
    decisionClass: z.enum(DECISION_CLASSES),
    /** Kinds of personal information the model uses (APP 1.7 register), e.g. `financial`. */
    personalInformationKinds: z.array(z.string()),
    /** The decisions it makes or supports, e.g. `approve or refer a consumer credit application`. */
    decisions: z.string(),
    intendedUse: z.string(),
    limitations: z.array(z.string()),
    /** The named accountable owner (ASIC REP 798). */
    owner: z.string(),
    /** Null for models built in-house; the supplier for vendor models. */
    vendor: z.string().nullable(),
    registeredBy: z.string(),
    registeredAt: z.string(),
  }),
});
export type ModelVersionRegistered = EventOf<typeof ModelVersionRegisteredEvent>;

/** A model card change: only the fields named change; earlier values stay in the ledger. */
export const ModelCardUpdatedEvent = defineEvent({
  type: 'ModelCardUpdated',
  schema: z.object({
    model: z.string(),
    version: z.string(),
    changes: z.object({
      intendedUse: z.string().optional(),
      limitations: z.array(z.string()).optional(),
      owner: z.string().optional(),
      decisions: z.string().optional(),
      personalInformationKinds: z.array(z.string()).optional(),
      explainability: z.string().optional(),
      humanOversight: z.string().optional(),
      consumerDisclosure: z.string().optional(),
      monitoringCadence: z.string().optional(),
    }),
    updatedBy: z.string(),
    updatedAt: z.string(),
  }),
});
export type ModelCardUpdated = EventOf<typeof ModelCardUpdatedEvent>;

export const fairnessResultSchema = z.object({
  /** The protected attribute, e.g. `age-band`. */
  attribute: z.string(),
  metric: z.string(),
  value: z.number(),
  threshold: z.number(),
  /** Metric per group of the attribute. */
  groups: z.record(z.string(), z.number()),
  passed: z.boolean(),
});
export type FairnessResult = z.infer<typeof fairnessResultSchema>;

export const ModelEvaluatedEvent = defineEvent({
  type: 'ModelEvaluated',
  schema: z.object({
    model: z.string(),
    version: z.string(),
    evaluationId: z.string(),
    datasetVersion: datasetVersionFactSchema,
    metrics: z.record(z.string(), z.number()),
    baseline: z
      .object({ version: z.string().nullable(), metrics: z.record(z.string(), z.number()) })
      .nullable(),
    fairness: z.array(fairnessResultSchema),
    verdict: z.enum(['pass', 'fail']),
    evaluatedBy: z.string(),
    evaluatedAt: z.string(),
    /**
     * Who computed the figures: `pipeline` posted them (events recorded before Attest ran models
     * have no field, and mean the same); `attest` scored the stored artifact on the stored data
     * itself, and `service` says with what (README, "Evaluation runs").
     */
    performedBy: z.enum(['pipeline', 'attest']).optional(),
    service: serviceEvaluationSchema.optional(),
  }),
});
export type ModelEvaluated = EventOf<typeof ModelEvaluatedEvent>;

export const ModelVersionRetiredEvent = defineEvent({
  type: 'ModelVersionRetired',
  schema: z.object({
    model: z.string(),
    version: z.string(),
    reason: z.string(),
    retiredBy: z.string(),
    retiredAt: z.string(),
  }),
});
export type ModelVersionRetired = EventOf<typeof ModelVersionRetiredEvent>;

/** One input or output of an ONNX graph. */
export const onnxValueInfoSchema = z.object({
  name: z.string(),
  /** `tensor`, or `sequence`, `map`, `optional`, `sparse-tensor` (e.g. a ZipMap's seq(map)). */
  kind: z.enum(['tensor', 'sequence', 'map', 'optional', 'sparse-tensor', 'unknown']),
  /** Tensor element type as a name (`float32`, `int64`, …); null for non-tensors. */
  elementType: z.string().nullable(),
  /** Dimensions: a number, a symbolic name, or null when unnamed; null when the rank is unknown. */
  shape: z.array(z.union([z.number(), z.string(), z.null()])).nullable(),
});
export type OnnxValueInfo = z.infer<typeof onnxValueInfoSchema>;

/** The version's ONNX file was stored; its bytes hash to the registered artifact digest. */
export const ModelArtifactStoredEvent = defineEvent({
  type: 'ModelArtifactStored',
  schema: z.object({
    model: z.string(),
    version: z.string(),
    /** `sha256:<hex>`, equal to the registration's artifactDigest. */
    digest: z.string(),
    size: z.number(),
    irVersion: z.number(),
    producerName: z.string(),
    producerVersion: z.string(),
    /** Operator set version per domain (`` is the default ONNX domain, `ai.onnx.ml` …). */
    opsets: z.array(z.object({ domain: z.string(), version: z.number() })),
    /** The operator types the graph uses, sorted and unique. */
    operators: z.array(z.object({ domain: z.string(), opType: z.string() })),
    inputs: z.array(onnxValueInfoSchema),
    outputs: z.array(onnxValueInfoSchema),
    /** The first float tensor output: the score a prediction reports. */
    scoreOutput: z.string(),
    /** The onnxruntime that loaded the file. */
    onnxruntimeVersion: z.string(),
    storedBy: z.string(),
    storedAt: z.string(),
  }),
});
export type ModelArtifactStored = EventOf<typeof ModelArtifactStoredEvent>;

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
