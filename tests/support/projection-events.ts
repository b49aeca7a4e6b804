import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AccessLogEvent } from '../../src/access-log/access-log.events';
import type {
  DatasetVersionRegistered,
  DatasetVersionRetired,
} from '../../src/datasets/dataset.events';
import type { DeploymentEvent, ModelDeployed } from '../../src/deployments/deployment.events';
import type {
  LedgerCheckpointSigned,
  LedgerSigningKeyActivated,
} from '../../src/integrity/integrity.events';
import type { RecordedEvent } from '../../src/ledger/event-log.port';
import type { ModelEvent, ModelVersionRegistered } from '../../src/model-registry/model.events';
import type {
  GroundTruthRecorded,
  PredictionBatchRecorded,
} from '../../src/predictions/prediction.events';
import type { TrainingRunEvent } from '../../src/training-runs/training-run.events';
import type { GivenEvent, ProjectionSpec } from './projection-spec';

/** Typed event builders shared by the projection specs: one valid payload per event type. */

export const digest = (byte: string) => `sha256:${byte.repeat(64 / byte.length).slice(0, 64)}`;
export const day = (n: number, hour = 9) => new Date(Date.UTC(2026, 0, n, hour)).toISOString();

type At<E> = E & { stream?: string; recordedAt?: string };

export const datasetRegistered = (
  name: string,
  version: string,
  parents: { name: string; version: string }[] = [],
  at = day(1),
): At<DatasetVersionRegistered> => ({
  type: 'DatasetVersionRegistered',
  stream: `dataset-${name}`,
  data: {
    name,
    version,
    contentHash: digest('d1'),
    rows: 1000,
    schema: [],
    location: `s3://lake/${name}/${version}`,
    region: 'ap-southeast-2',
    containsPersonalInformation: true,
    containsSensitiveInformation: false,
    lawfulBasis: 'credit assessment',
    collectionNotice: null,
    purpose: null,
    retention: 'P7Y',
    piaId: null,
    parents,
    registeredBy: 'ci',
    registeredAt: at,
  },
});

export const datasetRetired = (name: string, version: string): At<DatasetVersionRetired> => ({
  type: 'DatasetVersionRetired',
  stream: `dataset-${name}`,
  data: { name, version, reason: 'superseded', retiredBy: 'dana', retiredAt: day(2) },
});

export const runStarted = (
  runId: string,
  datasets: { name: string; version: string }[],
  model = 'credit',
): At<TrainingRunEvent> => ({
  type: 'TrainingRunStarted',
  stream: `training-run-${runId}`,
  data: {
    runId,
    model,
    datasetVersions: datasets.map((d) => ({ ...d, contentHash: digest('d1') })),
    code: { repository: 'git@example:credit.git', commit: 'c0ffee1' },
    algorithm: 'xgboost',
    hyperparameters: {},
    environment: {},
    startedBy: 'ci',
    startedAt: day(3),
  },
});

export const runCompleted = (runId: string, artifact = digest('a1')): At<TrainingRunEvent> => ({
  type: 'TrainingRunCompleted',
  stream: `training-run-${runId}`,
  data: {
    runId,
    metrics: { auc: 0.8 },
    validationApproach: 'holdout',
    artifact: { uri: 's3://models/credit', digest: artifact, format: 'onnx' },
    completedBy: 'ci',
    completedAt: day(4),
  },
});

export const runFailed = (runId: string): At<TrainingRunEvent> => ({
  type: 'TrainingRunFailed',
  stream: `training-run-${runId}`,
  data: { runId, reason: 'out of memory', failedBy: 'ci', failedAt: day(4) },
});

export const modelRegistered = (
  model: string,
  version: string,
  runId: string,
): At<ModelVersionRegistered> => ({
  type: 'ModelVersionRegistered',
  stream: `model-${model}`,
  data: {
    model,
    version,
    runId,
    trainedBy: 'ci',
    datasetVersions: [],
    artifactDigest: digest('a1'),
    riskTier: 'high',
    decisionClass: 'substantially-assists',
    personalInformationKinds: ['financial'],
    decisions: 'approve or refer',
    intendedUse: 'credit',
    limitations: [],
    owner: 'head of credit',
    vendor: null,
    registeredBy: 'dana',
    registeredAt: day(5),
  },
});

export const cardUpdated = (
  model: string,
  version: string,
  changes: { personalInformationKinds?: string[]; intendedUse?: string },
): At<ModelEvent> => ({
  type: 'ModelCardUpdated',
  stream: `model-${model}`,
  data: { model, version, changes, updatedBy: 'dana', updatedAt: day(6) },
});

export const evaluated = (
  model: string,
  version: string,
  dataset: { name: string; version: string },
): At<ModelEvent> => ({
  type: 'ModelEvaluated',
  stream: `model-${model}`,
  data: {
    model,
    version,
    evaluationId: uuidv7(),
    datasetVersion: { ...dataset, contentHash: digest('d1') },
    metrics: { auc: 0.79 },
    baseline: null,
    fairness: [],
    verdict: 'pass',
    evaluatedBy: 'ci',
    evaluatedAt: day(6),
  },
});

export const modelRetired = (model: string, version: string): At<ModelEvent> => ({
  type: 'ModelVersionRetired',
  stream: `model-${model}`,
  data: { model, version, reason: 'replaced', retiredBy: 'dana', retiredAt: day(9) },
});

export const deployed = (
  deploymentId: string,
  version: string,
  options: { canary?: boolean; previousVersion?: string | null; approvalId?: string | null } = {},
): At<ModelDeployed> => ({
  type: 'ModelDeployed',
  stream: `deployment-${deploymentId}`,
  data: {
    deploymentId,
    model: deploymentId.split('.')[0],
    version,
    environment: deploymentId.split('.')[1] ?? 'production',
    strategy: options.canary ? 'canary' : 'full',
    canaryPercent: options.canary ? 10 : null,
    previousVersion: options.previousVersion ?? null,
    approvalId: options.approvalId === undefined ? uuidv7() : options.approvalId,
    deployedBy: 'rick',
    deployedAt: day(10),
  },
});

export const promoted = (deploymentId: string, version: string): At<DeploymentEvent> => ({
  type: 'DeploymentPromoted',
  stream: `deployment-${deploymentId}`,
  data: {
    deploymentId,
    model: deploymentId.split('.')[0],
    version,
    environment: deploymentId.split('.')[1] ?? 'production',
    previousVersion: null,
    promotedBy: 'rick',
    promotedAt: day(11),
  },
});

export const rolledBack = (
  deploymentId: string,
  fromVersion: string,
  toVersion: string | null,
): At<DeploymentEvent> => ({
  type: 'DeploymentRolledBack',
  stream: `deployment-${deploymentId}`,
  data: {
    deploymentId,
    model: deploymentId.split('.')[0],
    environment: deploymentId.split('.')[1] ?? 'production',
    fromVersion,
    toVersion,
    reason: 'drift',
    automatic: true,
    rolledBackBy: 'ci',
    rolledBackAt: day(12),
  },
});

export const deploymentRetired = (deploymentId: string, version: string): At<DeploymentEvent> => ({
  type: 'DeploymentRetired',
  stream: `deployment-${deploymentId}`,
  data: {
    deploymentId,
    model: deploymentId.split('.')[0],
    environment: deploymentId.split('.')[1] ?? 'production',
    version,
    reason: 'decommissioned',
    retiredBy: 'rick',
    retiredAt: day(13),
  },
});

export const predictionBatch = (
  deploymentId: string,
  version: string,
  batchId = uuidv7(),
  count = 500,
): At<PredictionBatchRecorded> => ({
  type: 'PredictionBatchRecorded',
  stream: `prediction-batch-${batchId}`,
  data: {
    batchId,
    deploymentId,
    model: deploymentId.split('.')[0],
    version,
    environment: deploymentId.split('.')[1] ?? 'production',
    count,
    window: { from: day(14), to: day(14, 10) },
    inputDigest: digest('b1'),
    outputDistribution: { approve: count - 100, refer: 100 },
    featureSummaries: [{ feature: 'income', mean: 52.5, stddev: 1.25, missing: 0 }],
    latencyMs: { p50: 5, p95: 9.5, p99: 12 },
    decisions: { automated: count - 100, referred: 100 },
    recordedBy: 'ci',
    recordedAt: day(14, 10),
  },
});

export const groundTruth = (
  deploymentId: string,
  version: string,
  batchIds: string[],
  groundTruthId = uuidv7(),
): At<GroundTruthRecorded> => ({
  type: 'GroundTruthRecorded',
  stream: `ground-truth-${deploymentId}`,
  data: {
    groundTruthId,
    deploymentId,
    model: deploymentId.split('.')[0],
    version,
    environment: deploymentId.split('.')[1] ?? 'production',
    batchIds,
    window: { from: day(14), to: day(15) },
    count: 200,
    labelsDigest: digest('c1'),
    metrics: { auc: 0.77, accuracy: 0.9 },
    recordedBy: 'ci',
    recordedAt: day(15),
  },
});

export const regulatorAccessed = (sub: string, url: string, status = 200): At<AccessLogEvent> => ({
  type: 'RegulatorAccessed',
  stream: `access-log-${sub}`,
  data: { sub, roles: ['regulator'], method: 'GET', url, status, accessedAt: day(16) },
});

export const personalDataAccessed = (
  sub: string,
  kind: string,
  ids: string[],
): At<AccessLogEvent> => ({
  type: 'PersonalDataAccessed',
  stream: `access-log-${sub}`,
  data: {
    sub,
    roles: ['data-scientist', 'auditor'],
    kind,
    ids,
    url: `/api/v1/${kind}s/${ids[0] ?? ''}`,
    accessedAt: day(16),
  },
});

export const checkpointSigned = (
  treeSize: number,
  keyId = 'key-1',
  rootByte = 'e1',
): At<LedgerCheckpointSigned> => ({
  type: 'LedgerCheckpointSigned',
  stream: 'ledger-checkpoints',
  data: {
    logId: 'attest-test',
    treeSize,
    rootHash: digest(rootByte).slice('sha256:'.length),
    timestamp: day(17),
    keyId,
    jws: `header.payload-${treeSize}-${rootByte}.signature`,
  },
});

export const signingKeyActivated = (keyId: string, x = 'abc'): At<LedgerSigningKeyActivated> => ({
  type: 'LedgerSigningKeyActivated',
  stream: 'ledger-signing-keys',
  data: { keyId, publicJwk: { kty: 'OKP', crv: 'Ed25519', x }, activatedAt: day(17) },
});

/**
 * A ledger as a busy service records it, interleaved: per cycle a dataset, a training run, a
 * model version and its deployment, then prediction batches, access records, ground truth and a
 * signed checkpoint. `size` events in all (the last cycle cut short).
 */
export function mixedLedger(size: number): GivenEvent[] {
  const events: GivenEvent[] = [];
  for (let cycle = 0; events.length < size; cycle++) {
    const model = `m${cycle}`;
    const deployment = `${model}.production`;
    const runId = uuidv7();
    const batches: string[] = [];
    events.push(
      datasetRegistered(`loans${cycle}`, 'v1'),
      runStarted(runId, [{ name: `loans${cycle}`, version: 'v1' }], model),
      runCompleted(runId),
      modelRegistered(model, '1.0.0', runId),
      evaluated(model, '1.0.0', { name: `loans${cycle}`, version: 'v1' }),
      deployed(deployment, '1.0.0'),
    );
    for (let i = 0; i < 40; i++) {
      const batch = predictionBatch(deployment, '1.0.0');
      batches.push(batch.data.batchId);
      events.push(batch);
      if (i % 4 === 0)
        events.push(regulatorAccessed(`regulator${i % 3}`, `/api/v1/models/${model}`));
      if (i % 8 === 0)
        events.push(personalDataAccessed('dana', 'dataset-version', [`loans${cycle}@v1`]));
    }
    events.push(groundTruth(deployment, '1.0.0', batches.slice(0, 10)));
    events.push(checkpointSigned(events.length));
  }
  return events.slice(0, size);
}

/** The statements a projection sends to apply one page, counted on the page's transaction. */
export async function statementsToApply(
  spec: ProjectionSpec,
  page: readonly RecordedEvent[],
  from: string | null,
): Promise<number> {
  const { projection } = spec;
  const mine = page.filter((e) => !projection.eventTypes || projection.eventTypes.includes(e.type));
  let statements = 0;
  await spec.dataSource.transaction(async (manager) => {
    const counting = new Proxy(manager, {
      get(target, property, receiver) {
        if (property === 'query')
          return (...args: Parameters<EntityManager['query']>) => {
            statements++;
            return target.query(...args);
          };
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const to = page[page.length - 1].position;
    await projection.applyPage(mine, { manager: counting, from, to, rebuilding: false });
  });
  return statements;
}
