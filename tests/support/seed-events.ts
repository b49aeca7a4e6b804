import { v7 as uuidv7 } from 'uuid';
import type { DomainEvent } from '../../src/ledger/commands/decider';
import type {
  Actor,
  AppendResult,
  EventLog,
  JsonObject,
  NewEvent,
} from '../../src/ledger/event-log.port';
import { streams } from '../../src/ledger/stream-names';
import type {
  ModelArtifactStored,
  ModelEvaluated,
  ModelEvent,
  ModelVersionRegistered,
  ModelVersionRetired,
} from '../../src/model-registry/model.events';

const SEEDED_AT = '2026-11-27T00:00:00.000Z';
const PIPELINE: Actor = { sub: 'ci-pipeline', roles: ['pipeline'] };

/** A domain event as the log would store it, with the envelope a command would have given it. */
export function seedEvent(
  event: DomainEvent,
  actor: Actor = PIPELINE,
  occurredAt = SEEDED_AT,
): NewEvent {
  const id = uuidv7();
  return {
    id,
    type: event.type,
    data: JSON.parse(JSON.stringify(event.data)) as JsonObject,
    metadata: {
      schemaVersion: 1,
      occurredAt,
      actor,
      correlationId: id,
      causationId: id,
    },
  };
}

/**
 * Appends events straight to the log, for tests of a capability whose upstream commands may
 * not exist yet. The actor of each event is the one its data names, as a command would record.
 */
export async function seedStream(
  eventLog: EventLog,
  stream: string,
  events: readonly DomainEvent[],
  actor: Actor = PIPELINE,
): Promise<AppendResult> {
  return eventLog.append(
    stream,
    events.map((event) => seedEvent(event, actor)),
    { expectedRevision: 'any' },
  );
}

export function seedModelEvents(
  eventLog: EventLog,
  model: string,
  events: readonly ModelEvent[],
  actor: Actor = PIPELINE,
): Promise<AppendResult> {
  return seedStream(eventLog, streams.model(model), events, actor);
}

const hash = (byte: string) => `sha256:${byte.repeat(32)}`;

export function modelVersionRegistered(
  data: Partial<ModelVersionRegistered['data']> & { model: string; version: string },
): ModelVersionRegistered {
  return {
    type: 'ModelVersionRegistered',
    data: {
      runId: uuidv7(),
      trainedBy: 'tara',
      datasetVersions: [
        { name: 'loan-applications', version: '2026-02', contentHash: hash('d1') },
        { name: 'bureau-extract', version: '2026-01', contentHash: hash('d2') },
      ],
      artifactDigest: hash('a1'),
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer a consumer credit application',
      intendedUse: 'retail credit decisioning',
      limitations: ['not for business lending'],
      owner: 'head of retail credit risk',
      vendor: null,
      registeredBy: 'reggie',
      registeredAt: SEEDED_AT,
      ...data,
    },
  };
}

/**
 * The version's ONNX file stored (what PUT …/artifact records), described as the fixture
 * logistic regression: `features` float32 [N, 4] in, `probability` float32 [N, 1] out. A
 * deployment needs it (a version whose artifact was never stored cannot be deployed).
 */
export function modelArtifactStored(
  data: Partial<ModelArtifactStored['data']> & { model: string; version: string },
): ModelArtifactStored {
  return {
    type: 'ModelArtifactStored',
    data: {
      digest: hash('a1'),
      size: 512,
      irVersion: 8,
      producerName: 'attest-fixtures',
      producerVersion: '1.0.0',
      opsets: [{ domain: '', version: 17 }],
      operators: [
        { domain: '', opType: 'Gemm' },
        { domain: '', opType: 'Sigmoid' },
      ],
      inputs: [{ name: 'features', kind: 'tensor', elementType: 'float32', shape: ['N', 4] }],
      outputs: [{ name: 'probability', kind: 'tensor', elementType: 'float32', shape: ['N', 1] }],
      scoreOutput: 'probability',
      onnxruntimeVersion: '1.23.2',
      storedBy: 'reggie',
      storedAt: SEEDED_AT,
      ...data,
    },
  };
}

export function modelEvaluated(
  data: Partial<ModelEvaluated['data']> & { model: string; version: string },
): ModelEvaluated {
  return {
    type: 'ModelEvaluated',
    data: {
      evaluationId: uuidv7(),
      datasetVersion: { name: 'loan-holdout', version: '2026-02', contentHash: hash('d3') },
      metrics: { auc: 0.81, ks: 0.42 },
      baseline: null,
      fairness: [],
      verdict: 'pass',
      evaluatedBy: 'ci-pipeline',
      evaluatedAt: SEEDED_AT,
      ...data,
    },
  };
}

export function modelVersionRetired(
  data: Partial<ModelVersionRetired['data']> & { model: string; version: string },
): ModelVersionRetired {
  return {
    type: 'ModelVersionRetired',
    data: { reason: 'superseded', retiredBy: 'reggie', retiredAt: SEEDED_AT, ...data },
  };
}
