import {
  groundTruth,
  mixedLedger,
  predictionBatch,
  statementsToApply,
} from '../../../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import { PredictionsProjection } from './predictions.projection';

describe('predictions projection', () => {
  let spec: ProjectionSpec<PredictionsProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(PredictionsProjection);
  }, 120_000);
  afterAll(() => spec?.close());

  it('handles batches and ground truth, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'GroundTruthRecorded',
      'PredictionBatchRecorded',
    ]);
  });

  it('records a row per batch with every column', async () => {
    const batch = predictionBatch('credit.production', '1.0.0', undefined, 812);
    const [recorded] = await spec.given([batch]);
    const d = batch.data;
    expect(await spec.rows('SELECT * FROM prediction_batches')).toEqual([
      {
        batch_id: d.batchId,
        deployment_id: 'credit.production',
        model: 'credit',
        environment: 'production',
        version: '1.0.0',
        count: '812',
        window_from: new Date(d.window.from),
        window_to: new Date(d.window.to),
        input_digest: d.inputDigest,
        output_distribution: { approve: 712, refer: 100 },
        feature_summaries: [{ feature: 'income', mean: 52.5, stddev: 1.25, missing: 0 }],
        latency_p50_ms: 5,
        latency_p95_ms: 9.5,
        latency_p99_ms: 12,
        automated: '712',
        referred: '100',
        recorded_by: 'ci',
        recorded_at: new Date(d.recordedAt),
        event_id: recorded.id,
      },
    ]);
  });

  it('records a row per ground truth with every column', async () => {
    const truth = groundTruth('credit.production', '1.0.0', ['b1', 'b2']);
    const [recorded] = await spec.given([truth]);
    const d = truth.data;
    expect(await spec.rows('SELECT * FROM ground_truth')).toEqual([
      {
        ground_truth_id: d.groundTruthId,
        deployment_id: 'credit.production',
        model: 'credit',
        environment: 'production',
        version: '1.0.0',
        batch_ids: ['b1', 'b2'],
        window_from: new Date(d.window.from),
        window_to: new Date(d.window.to),
        count: '200',
        labels_digest: d.labelsDigest,
        metrics: { auc: 0.77, accuracy: 0.9 },
        recorded_by: 'ci',
        recorded_at: new Date(d.recordedAt),
        event_id: recorded.id,
      },
    ]);
  });

  it('keeps the first event of a batch or ground truth recorded twice, in one page or two', async () => {
    const batch = predictionBatch('credit.production', '1.0.0', undefined, 300);
    const again = { ...batch, data: { ...batch.data, count: 999 } };
    const truth = groundTruth('credit.production', '1.0.0', []);
    const truthAgain = { ...truth, data: { ...truth.data, count: 1 } };
    const recorded = await spec.given([batch, truth, again, truthAgain]);
    const rows = async () => ({
      batches: await spec.rows('SELECT count::int, event_id FROM prediction_batches'),
      truth: await spec.rows('SELECT count::int, event_id FROM ground_truth'),
    });
    expect(await rows()).toEqual({
      batches: [{ count: 300, event_id: recorded[0].id }],
      truth: [{ count: 200, event_id: recorded[1].id }],
    });
    await spec.given([again, truthAgain], { keep: true });
    await spec.apply(recorded);
    expect(await rows()).toEqual({
      batches: [{ count: 300, event_id: recorded[0].id }],
      truth: [{ count: 200, event_id: recorded[1].id }],
    });
  });

  it('holds the same rows rebuilt in one page as applied live, page by page', async () => {
    await spec.expectRebuildEqualsLive(mixedLedger(150));
  });

  it('writes a page of batches and ground truth in one statement', async () => {
    await spec.truncate();
    const recorded = spec.record(mixedLedger(1000));
    expect(await statementsToApply(spec, recorded, null)).toBe(1);
    expect(await spec.rows('SELECT count(*)::int AS n FROM ground_truth')).toEqual([
      { n: recorded.filter((event) => event.type === 'GroundTruthRecorded').length },
    ]);
  });
});
