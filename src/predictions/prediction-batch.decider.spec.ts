import { given } from '../../tests/support/decider-spec';
import type { DeploymentStanding } from './deployment-standing';
import { type RecordPredictionBatch, predictionBatchDecider } from './prediction-batch.decider';
import type { PredictionBatchRecorded } from './prediction.events';

const NOW = '2026-03-01T00:00:00.000Z';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const active: DeploymentStanding = {
  deploymentId: 'credit-risk.production',
  status: 'active',
  servingVersions: ['1.0.0', '2.0.0'],
};

function record(
  overrides: Partial<RecordPredictionBatch['data']> = {},
  deployment: DeploymentStanding = active,
): RecordPredictionBatch {
  return {
    type: 'RecordPredictionBatch',
    data: {
      batchId: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f',
      deploymentId: 'credit-risk.production',
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      count: 1000,
      window: { from: '2026-02-28T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
      inputDigest: DIGEST,
      outputDistribution: { approve: 812, refer: 140, decline: 48 },
      featureSummaries: [
        { feature: 'income', mean: 81_200, stddev: 20_400, missing: 3 },
        { feature: 'term', mean: null, stddev: null, missing: 0 },
      ],
      latencyMs: { p50: 4, p95: 11, p99: 19 },
      decisions: { automated: 860, referred: 140 },
      ...overrides,
    },
    deployment,
    actor: 'scoring-pipeline',
    now: NOW,
  };
}

function recorded(command = record()): PredictionBatchRecorded {
  return {
    type: 'PredictionBatchRecorded',
    data: { ...command.data, recordedBy: command.actor, recordedAt: command.now },
  };
}

/** The refusal's field errors, to check which field a rule names. */
function errorsOf(command: RecordPredictionBatch): Record<string, string[]> {
  try {
    predictionBatchDecider.decide(command, { status: 'none' });
  } catch (error) {
    return (error as { details: { errors: Record<string, string[]> } }).details.errors;
  }
  throw new Error('expected a refusal');
}

describe('prediction batch decider', () => {
  it('records the summary of a batch scored by the serving version', () => {
    given(predictionBatchDecider).when(record()).then([recorded()]);
  });

  it('records a batch scored by the canary', () => {
    const canary = record({ version: '2.0.0' });
    given(predictionBatchDecider)
      .when(canary)
      .then([recorded(canary)]);
  });

  it('is a no-op when the batch is already recorded (a retried request)', () => {
    given(predictionBatchDecider, [recorded()]).when(record()).then([]);
  });

  it('refuses a deployment never recorded (404), and one that serves nothing (409)', () => {
    given(predictionBatchDecider)
      .when(record({}, { ...active, status: 'unrecorded', servingVersions: [] }))
      .thenRefuses('not-found', 404);
    for (const status of ['retired', 'inactive'] as const) {
      given(predictionBatchDecider)
        .when(record({}, { ...active, status, servingVersions: [] }))
        .thenRefuses('deployment-not-active', 409);
    }
  });

  it('refuses a version that neither serves nor runs as the canary', () => {
    given(predictionBatchDecider)
      .when(record({ version: '0.9.0' }))
      .thenRefuses('version-not-serving', 422);
  });

  it('refuses a window that does not end after it starts, naming window.to', () => {
    const at = '2026-03-01T00:00:00.000Z';
    given(predictionBatchDecider)
      .when(record({ window: { from: at, to: at } }))
      .thenRefuses('inconsistent-batch-summary', 422);
    expect(errorsOf(record({ window: { from: at, to: '2026-02-01T00:00:00Z' } }))).toHaveProperty([
      'window.to',
    ]);
  });

  it('refuses an output distribution that does not sum to count, or holds a negative or fraction', () => {
    expect(errorsOf(record({ outputDistribution: { approve: 999 } }))).toHaveProperty(
      'outputDistribution',
    );
    expect(errorsOf(record({ outputDistribution: { approve: 1001, decline: -1 } }))).toHaveProperty(
      'outputDistribution',
    );
    expect(
      errorsOf(record({ outputDistribution: { approve: 999.5, decline: 0.5 } })),
    ).toHaveProperty('outputDistribution');
  });

  it('refuses automated and referred decisions that do not add up to count', () => {
    expect(errorsOf(record({ decisions: { automated: 900, referred: 140 } }))).toHaveProperty(
      'decisions',
    );
  });

  it('refuses latency percentiles out of order', () => {
    expect(errorsOf(record({ latencyMs: { p50: 12, p95: 11, p99: 19 } }))).toHaveProperty(
      'latencyMs',
    );
    expect(errorsOf(record({ latencyMs: { p50: 4, p95: 20, p99: 19 } }))).toHaveProperty(
      'latencyMs',
    );
  });

  it('refuses a feature summarised twice, or with more missing values than predictions', () => {
    expect(
      errorsOf(
        record({
          featureSummaries: [
            { feature: 'income', mean: 1, stddev: 0, missing: 0 },
            { feature: 'income', mean: 2, stddev: 0, missing: 1001 },
          ],
        }),
      ),
    ).toEqual({
      'featureSummaries.1.feature': [expect.any(String)],
      'featureSummaries.1.missing': [expect.any(String)],
    });
  });

  it('names every inconsistency at once', () => {
    expect(
      Object.keys(
        errorsOf(
          record({
            outputDistribution: { approve: 1 },
            decisions: { automated: 1, referred: 1 },
          }),
        ),
      ).sort(),
    ).toEqual(['decisions', 'outputDistribution']);
  });

  describe('a batch Attest sealed from its decision receipts', () => {
    const receipts = {
      root: 'ab'.repeat(32),
      count: 1000,
      firstReceiptId: '01936f0e-8a7b-7c3d-9e1f-000000000001',
      lastReceiptId: '01936f0e-8a7b-7c3d-9e1f-000000000002',
      onnxruntimeVersion: '1.23.2',
      artifactDigest: DIGEST,
    };
    const bins = {
      baseline: { source: 'fixed' as const, id: null },
      score: { edges: [0.5], counts: [600, 400], missing: 0 },
      features: [],
    };
    const sealed = (
      overrides: Partial<RecordPredictionBatch['data']> = {},
      deployment: DeploymentStanding = active,
    ): RecordPredictionBatch => ({
      ...record({ receipts, bins, ...overrides }, deployment),
      sealed: true,
    });

    it('is recorded after the version stopped serving, or the deployment was rolled back or retired', () => {
      given(predictionBatchDecider)
        .when(sealed({ version: '0.9.0' }))
        .then([recorded(sealed({ version: '0.9.0' }))]);
      for (const status of ['retired', 'inactive'] as const) {
        const command = sealed({}, { ...active, status, servingVersions: [] });
        given(predictionBatchDecider)
          .when(command)
          .then([recorded(command)]);
      }
    });

    it('still needs the deployment to be recorded', () => {
      given(predictionBatchDecider)
        .when(sealed({}, { ...active, status: 'unrecorded', servingVersions: [] }))
        .thenRefuses('not-found', 404);
    });

    it('must carry its receipts, counted as the batch is, and its bins', () => {
      expect(errorsOf(sealed({ receipts: undefined }))).toHaveProperty('receipts');
      expect(errorsOf(sealed({ bins: undefined }))).toHaveProperty('bins');
      expect(errorsOf(sealed({ receipts: { ...receipts, count: 999 } }))).toHaveProperty([
        'receipts.count',
      ]);
    });
  });

  describe('bins (README, "Monitoring by Attest")', () => {
    const bins = {
      baseline: { source: 'pipeline' as const, id: null },
      score: { edges: [0.2, 0.5], counts: [300, 400, 300], missing: 0 },
      features: [
        { feature: 'income', edges: [1, 2, 3], counts: [200, 300, 300, 197], missing: 3 },
        { feature: 'term', categories: ['12', '24'], counts: [500, 400, 100], missing: 0 },
      ],
    };

    it('records bins that add up', () => {
      given(predictionBatchDecider)
        .when(record({ bins }))
        .then([recorded(record({ bins }))]);
    });

    it('names each distribution whose bins do not fit or add up', () => {
      expect(
        errorsOf(
          record({
            bins: {
              ...bins,
              score: { edges: [0.5, 0.2], counts: [1, 2], missing: 0 },
              features: [
                { feature: 'income', edges: [1], counts: [600, 399], missing: 0 },
                { feature: 'term', categories: ['12', '12'], counts: [500, 400, 100], missing: 0 },
                { feature: 'term', counts: [1000], missing: 0 },
              ],
            },
          }),
        ),
      ).toEqual({
        'bins.score.edges': ['must be finite and strictly ascending'],
        'bins.score.counts': ['has 2 counts: 3 expected (one more than edges)'],
        'bins.features.0.counts': ['sum to 999 with 0 missing, but count is 1000'],
        'bins.features.1.categories': ['must be distinct'],
        'bins.features.2.feature': ['term appears twice'],
        'bins.features.2': ['needs edges (numeric) or categories (categorical), not both'],
      });
    });
  });
});
