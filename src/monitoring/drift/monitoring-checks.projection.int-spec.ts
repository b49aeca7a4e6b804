import { v7 as uuidv7 } from 'uuid';
import { type ProjectionSpec, projectionSpec } from '../../../tests/support/projection-spec';
import type { BatchBins, PredictionBatchRecorded } from '../../predictions/prediction.events';
import { DriftMonitor } from './drift-monitor';
import { MonitoringChecksProjection } from './monitoring-checks.projection';

const hour = (h: number) => new Date(Date.UTC(2026, 6, 1, h)).toISOString();

const BINS: BatchBins = {
  baseline: { source: 'evaluation', id: '01950000-0000-7000-8000-0000000e7a11' },
  score: { edges: [0.2, 0.5, 0.8], counts: [120, 260, 90, 30], missing: 0 },
  features: [
    { feature: 'income', edges: [30_000, 60_000, 90_000], counts: [80, 210, 150, 60], missing: 0 },
    {
      feature: 'employment',
      categories: ['salaried', 'self-employed'],
      counts: [400, 80, 20],
      missing: 0,
    },
  ],
};

function batch(
  deploymentId: string,
  options: { bins?: boolean; hour?: number; version?: string } = {},
): PredictionBatchRecorded & { stream: string } {
  const batchId = uuidv7();
  const [model, environment] = deploymentId.split('.');
  const h = options.hour ?? 9;
  return {
    type: 'PredictionBatchRecorded',
    stream: `prediction-batch-${batchId}`,
    data: {
      batchId,
      deploymentId,
      model,
      version: options.version ?? '1.1.0',
      environment,
      count: 500,
      window: { from: hour(h), to: hour(h + 1) },
      inputDigest: `sha256:${'b1'.repeat(32)}`,
      outputDistribution: { approve: 380, refer: 90, decline: 30 },
      featureSummaries: [
        { feature: 'income', mean: 64_250.5, stddev: 18_400.25, missing: 0 },
        { feature: 'employment', mean: null, stddev: null, missing: 0 },
      ],
      latencyMs: { p50: 4, p95: 9.5, p99: 14 },
      decisions: { automated: 410, referred: 90 },
      ...(options.bins === false ? {} : { bins: BINS }),
      recordedBy: 'scoring-service',
      recordedAt: hour(h + 1),
    },
  };
}

describe('MonitoringChecksProjection', () => {
  let spec: ProjectionSpec<MonitoringChecksProjection>;

  beforeAll(async () => {
    spec = await projectionSpec(MonitoringChecksProjection);
    // The monitor would take the checks this spec looks at: it stops for the spec.
    await spec.test.app.get(DriftMonitor).beforeApplicationShutdown();
  });
  // The checks are not the projection's table (a rebuild keeps them): each test starts without.
  beforeEach(() => spec.rows('DELETE FROM monitoring_checks'));
  afterAll(() => spec?.close());

  const batches = () =>
    spec.rows<Record<string, unknown>>(
      `SELECT batch_id, deployment_id, model, environment, version,
         to_json(window_from) #>> '{}' AS window_from, to_json(window_to) #>> '{}' AS window_to,
         bins, event_id
       FROM monitoring_batches ORDER BY seq`,
    );
  const checks = () =>
    spec.rows<{ kind: string; batch_id: string; deployment_id: string; done: boolean }>(
      `SELECT kind, batch_id, deployment_id, done_at IS NOT NULL AS done
       FROM monitoring_checks ORDER BY seq`,
    );

  it('derives its event types from its handlers', () => {
    expect(spec.projection.eventTypes).toEqual(['PredictionBatchRecorded']);
  });

  it('takes in a batch with bins and enqueues its drift check', async () => {
    const event = batch('credit-risk.production');
    const [recorded] = await spec.given([event]);
    const [row] = await batches();
    expect({
      ...row,
      window_from: new Date(row.window_from as string).toISOString(),
      window_to: new Date(row.window_to as string).toISOString(),
    }).toEqual({
      batch_id: event.data.batchId,
      deployment_id: 'credit-risk.production',
      model: 'credit-risk',
      environment: 'production',
      version: '1.1.0',
      window_from: hour(9),
      window_to: hour(10),
      bins: BINS,
      event_id: recorded.id,
    });
    expect(await checks()).toEqual([
      {
        kind: 'drift',
        batch_id: event.data.batchId,
        deployment_id: 'credit-risk.production',
        done: false,
      },
    ]);
  });

  it('leaves out a batch without bins', async () => {
    await spec.given([batch('credit-risk.production', { bins: false })]);
    expect(await batches()).toEqual([]);
    expect(await checks()).toEqual([]);
  });

  it('keeps a run of batches in ledger order in both tables', async () => {
    const events = [
      batch('credit-risk.production', { hour: 1 }),
      batch('fraud.production', { hour: 1, version: '3.0.0' }),
      batch('credit-risk.production', { hour: 2, bins: false }),
      batch('credit-risk.production', { hour: 3 }),
      batch('fraud.production', { hour: 4, version: '3.0.0' }),
    ].reverse(); // newer batch ids first: the order is the ledger's, not the ids'
    await spec.given(events);
    const binned = events.filter((event) => event.data.bins).map((event) => event.data.batchId);
    expect((await batches()).map((row) => row.batch_id)).toEqual(binned);
    expect((await checks()).map((row) => row.batch_id)).toEqual(binned);
  });

  it('enqueues no check again on replay or rebuild, a done one staying done', async () => {
    const recorded = await spec.given([
      batch('credit-risk.production', { hour: 5 }),
      batch('credit-risk.production', { hour: 6 }),
    ]);
    await spec.rows(`UPDATE monitoring_checks SET done_at = now() WHERE seq = (
      SELECT min(seq) FROM monitoring_checks)`);
    const before = await checks();
    const stored = await batches();

    await spec.apply(recorded);
    await spec.truncate();
    await spec.apply(recorded, { rebuilding: true, pageSize: 1 });
    expect(await checks()).toEqual(before);
    expect(before.map((check) => check.done)).toEqual([true, false]);
    expect(await batches()).toEqual(stored);
  });

  it('ends with the same rows rebuilt as applied live, in pages of any size', async () => {
    await spec.expectRebuildEqualsLive(
      [
        batch('credit-risk.production', { hour: 1 }),
        batch('credit-risk.production', { hour: 2, bins: false }),
        batch('fraud.production', { hour: 2, version: '3.0.0' }),
        batch('credit-risk.production', { hour: 3 }),
        batch('credit-risk.staging', { hour: 3, version: '1.2.0' }),
        batch('fraud.production', { hour: 4, version: '3.0.0', bins: false }),
        batch('credit-risk.production', { hour: 5 }),
      ],
      // `seq` keeps counting across the truncations in between; the order is checked above.
      { ignoreColumns: ['seq'] },
    );
  });
});
