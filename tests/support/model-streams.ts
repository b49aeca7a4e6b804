import { streams } from '../../src/ledger/stream-names';
import {
  type CardChanges,
  type ModelCommand,
  type ModelState,
  type RegisterModelVersion,
  modelDecider,
} from '../../src/model-registry/model.decider';
import type { ModelEvent } from '../../src/model-registry/model.events';
import { DecidedStream } from './decided-stream';

const hash = (byte: string) => `sha256:${byte.repeat(32)}`;
export const ARTIFACT_DIGEST = hash('a1');
export const HOLDOUT = { name: 'loan-holdout', version: '2026-02', contentHash: hash('d3') };

/** A `model-<name>` stream whose events the model decider decides. */
export const modelStream = (model: string) =>
  new DecidedStream<ModelCommand, ModelEvent, ModelState>(modelDecider, streams.model(model));

/** Registers a version from a completed run of the model, as the registration handler would. */
export const registerVersion = (
  model: string,
  version: string,
  overrides: Partial<RegisterModelVersion['data']> = {},
  now = '2026-03-01T00:00:00.000Z',
): ModelCommand => ({
  type: 'RegisterModelVersion',
  actor: 'reggie',
  now,
  data: {
    model,
    version,
    runId: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f',
    artifactDigest: null,
    riskTier: 'high',
    decisionClass: 'substantially-assists',
    personalInformationKinds: ['financial'],
    decisions: 'approve or refer a consumer credit application',
    intendedUse: 'retail credit decisioning',
    limitations: ['not for business lending'],
    owner: 'head of retail credit risk',
    vendor: null,
    ...overrides,
  },
  run: {
    model,
    status: 'completed',
    startedBy: 'tara',
    datasetVersions: [{ name: 'loan-applications', version: '2026-02', contentHash: hash('d1') }],
    artifactDigest: ARTIFACT_DIGEST,
  },
});

export const updateCard = (
  model: string,
  version: string,
  changes: CardChanges,
  now = '2026-03-02T00:00:00.000Z',
): ModelCommand => ({
  type: 'UpdateModelCard',
  actor: 'olive',
  now,
  data: { model, version, changes },
});

/** A pipeline's evaluation on the holdout. */
export const evaluate = (
  model: string,
  version: string,
  evaluationId: string,
  verdict: 'pass' | 'fail' = 'pass',
): ModelCommand => ({
  type: 'RecordEvaluation',
  actor: 'ci-pipeline',
  now: '2026-03-03T00:00:00.000Z',
  data: {
    model,
    version,
    evaluationId,
    datasetVersion: { name: HOLDOUT.name, version: HOLDOUT.version },
    metrics: { auc: verdict === 'pass' ? 0.81 : 0.55, ks: 0.42 },
    baseline: null,
    fairness: [
      {
        attribute: 'age-band',
        metric: 'demographic-parity-ratio',
        value: 0.91,
        threshold: 0.8,
        groups: { '<25': 0.31, '25+': 0.34 },
        passed: true,
      },
    ],
    verdict,
  },
  datasetContentHash: HOLDOUT.contentHash,
});

export const retire = (model: string, version: string, reason = 'superseded'): ModelCommand => ({
  type: 'RetireModelVersion',
  actor: 'reggie',
  now: '2026-03-05T00:00:00.000Z',
  data: { model, version, reason },
});

/** The fixture logistic regression's ONNX file stored (what PUT …/artifact records). */
export const storeArtifact = (model: string, version: string): ModelCommand => ({
  type: 'StoreModelArtifact',
  actor: 'reggie',
  now: '2026-03-01T01:00:00.000Z',
  data: {
    model,
    version,
    digest: ARTIFACT_DIGEST,
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
  },
});
