import { given } from '../../tests/support/decider-spec';
import type { DeploymentStanding } from './deployment-standing';
import { type BatchFact, type RecordGroundTruth, groundTruthDecider } from './ground-truth.decider';
import type { GroundTruthRecorded } from './prediction.events';

const NOW = '2026-09-01T00:00:00.000Z';
const BATCH_A = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7a';
const BATCH_B = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7b';
const DEPLOYMENT = 'credit-risk.production';

const batch = (batchId: string, overrides: Partial<BatchFact> = {}): BatchFact => ({
  batchId,
  deploymentId: DEPLOYMENT,
  version: '1.0.0',
  count: 1000,
  ...overrides,
});

function record(
  overrides: Partial<RecordGroundTruth['data']> = {},
  options: { batches?: BatchFact[]; status?: DeploymentStanding['status'] } = {},
): RecordGroundTruth {
  return {
    type: 'RecordGroundTruth',
    data: {
      groundTruthId: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e70',
      deploymentId: DEPLOYMENT,
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      batchIds: [BATCH_A, BATCH_B],
      window: { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
      count: 1800,
      labelsDigest: `sha256:${'cd'.repeat(32)}`,
      metrics: { auc: 0.81, defaultRate: 0.032 },
      ...overrides,
    },
    deployment: {
      deploymentId: DEPLOYMENT,
      status: options.status ?? 'active',
      servingVersions: options.status && options.status !== 'active' ? [] : ['1.0.0'],
    },
    batches: options.batches ?? [batch(BATCH_A), batch(BATCH_B)],
    actor: 'labels-pipeline',
    now: NOW,
  };
}

function recorded(command = record()): GroundTruthRecorded {
  return {
    type: 'GroundTruthRecorded',
    data: { ...command.data, recordedBy: command.actor, recordedAt: command.now },
  };
}

describe('ground truth decider', () => {
  it('records outcomes for batches of the deployment', () => {
    given(groundTruthDecider).when(record()).then([recorded()]);
  });

  it('is a no-op when already recorded (a retried request)', () => {
    given(groundTruthDecider, [recorded()]).when(record()).then([]);
  });

  it('accepts outcomes that arrive after the deployment was retired or rolled back', () => {
    for (const status of ['retired', 'inactive'] as const) {
      const late = record({}, { status });
      given(groundTruthDecider)
        .when(late)
        .then([recorded(late)]);
    }
  });

  it('refuses a deployment never recorded', () => {
    given(groundTruthDecider)
      .when(record({}, { status: 'unrecorded' }))
      .thenRefuses('not-found', 404);
  });

  it('refuses a batch the ledger does not hold, or one of another deployment', () => {
    given(groundTruthDecider)
      .when(
        record(
          {},
          { batches: [batch(BATCH_A), batch(BATCH_B, { deploymentId: null, version: null })] },
        ),
      )
      .thenRefuses('unknown-prediction-batch', 422);
    given(groundTruthDecider)
      .when(
        record(
          {},
          { batches: [batch(BATCH_A), batch(BATCH_B, { deploymentId: 'fraud.production' })] },
        ),
      )
      .thenRefuses('unknown-prediction-batch', 422);
  });

  it('refuses a version other than the one that scored the batches', () => {
    given(groundTruthDecider)
      .when(record({ version: '2.0.0' }))
      .thenRefuses('version-mismatch', 422);
  });

  it('refuses more outcomes than predictions, a window out of order, and no metrics', () => {
    given(groundTruthDecider)
      .when(record({ count: 2001 }))
      .thenRefuses('inconsistent-ground-truth', 422);
    given(groundTruthDecider)
      .when(
        record({ window: { from: '2026-03-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' } }),
      )
      .thenRefuses('inconsistent-ground-truth', 422);
    given(groundTruthDecider)
      .when(record({ metrics: {} }))
      .thenRefuses('inconsistent-ground-truth', 422);
    given(groundTruthDecider)
      .when(record({ metrics: { auc: Number.NaN } }))
      .thenRefuses('inconsistent-ground-truth', 422);
  });
});
