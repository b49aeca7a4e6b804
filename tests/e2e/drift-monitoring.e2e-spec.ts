import { DataSource } from 'typeorm';
import { streams } from '../../src/ledger/stream-names';
import { DriftMonitor, SCORE_FEATURE } from '../../src/monitoring/drift/drift-monitor';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import {
  DEPLOYMENT,
  binnedBatchBody,
  driftSettled,
  sampleRows,
  seedRollouts,
  streamEvents,
  versionsWithBaselines,
} from '../support/monitoring-setup';
import { TestApp, startTestApp } from '../support/test-app';

const API = '/api/v1';

/**
 * Drift computed by the service (README, "Monitoring by Attest"): batches of seeded credit rows
 * binned against the version's baseline deciles, posted by a pipeline. The same population stays
 * quiet; a shifted one records DriftDetected by Attest with its bins and raises alerts; the check
 * run again records nothing.
 */
describe('drift computed by Attest', () => {
  let test: TestApp;
  let evaluation: ModelEvaluated;
  let pipeline: string;
  let admin: string;
  let hour = 0;

  beforeAll(async () => {
    test = await startTestApp();
    pipeline = `Bearer ${await test.token('ci', ['pipeline'])}`;
    admin = `Bearer ${await test.token('ann', ['admin'])}`;
    evaluation = (await versionsWithBaselines(test.eventLog, ['1.0.0'])).get(
      '1.0.0',
    ) as ModelEvaluated;
    await seedRollouts(test.eventLog, [{ version: '1.0.0' }]);
  });
  afterAll(() => test?.close());

  const window = () => {
    const from = new Date(Date.UTC(2026, 11, 1, hour++)).toISOString();
    return { from, to: new Date(Date.parse(from) + 3_600_000).toISOString() };
  };

  async function post(body: object): Promise<{ id: string; ledgerPosition: string }> {
    const { body: written } = await test
      .anonymous()
      .post(`${API}/deployments/${DEPLOYMENT}/prediction-batches`)
      .set('Authorization', pipeline)
      .send(body)
      .expect(201);
    await driftSettled(test, written.ledgerPosition as string);
    return written as { id: string; ledgerPosition: string };
  }

  const signals = () => streamEvents(test.eventLog, streams.monitoringSignals(DEPLOYMENT));

  it('stays quiet on batches from the baseline population', async () => {
    for (const seed of [101, 102, 103]) {
      const batch = await post(
        binnedBatchBody(evaluation, '1.0.0', sampleRows(seed, 1000), window()),
      );
      const result = await test.app.get(DriftMonitor).check(batch.id);
      expect(result.figures).toHaveLength(5);
      for (const figure of result.figures) {
        expect(figure.value).not.toBeNull();
        expect(figure.value).toBeLessThan(0.1);
        expect(figure.recorded).toBe(false);
      }
    }
    expect(await signals()).toEqual([]);
  });

  it('gives no figure for a batch with fewer values than psi.minCount, however shifted', async () => {
    const batch = await post(
      binnedBatchBody(evaluation, '1.0.0', sampleRows(150, 60, 0.4), window()),
    );
    const result = await test.app.get(DriftMonitor).check(batch.id);
    expect(result.figures.map((figure) => figure.value)).toEqual([null, null, null, null, null]);
    expect(await signals()).toEqual([]);
  });

  it('records drift by Attest with its bins and raises an alert for each breach', async () => {
    const batch = await post(
      binnedBatchBody(evaluation, '1.0.0', sampleRows(201, 1000, 0.4), window()),
    );
    const recorded = await signals();
    const drift = recorded.filter((event) => event.type === 'DriftDetected');
    const features = drift.map((event) => event.data.feature).sort();
    expect(features).toEqual(expect.arrayContaining(['income', 'debt_ratio', SCORE_FEATURE]));
    for (const event of drift) {
      expect(event.data).toMatchObject({
        deploymentId: DEPLOYMENT,
        version: '1.0.0',
        metric: 'psi',
        threshold: 0.25,
        detectedBy: 'attest',
      });
      expect(event.data.value as number).toBeGreaterThan(0.1);
      const bins = event.data.bins as { baseline: number; observed: number }[];
      expect(bins.length).toBeGreaterThan(1);
      expect(bins.reduce((sum, bin) => sum + bin.baseline, 0)).toBeCloseTo(1, 5);
      expect(bins.reduce((sum, bin) => sum + bin.observed, 0)).toBeCloseTo(1, 5);
    }
    const breached = drift.filter((event) => event.data.breached === true);
    expect(breached.length).toBeGreaterThanOrEqual(2);
    // Each breach raised an alert citing its signal; the alerts show over HTTP.
    const { body: alerts } = await test
      .anonymous()
      .get(`${API}/alerts?deployment=${DEPLOYMENT}`)
      .set('Authorization', admin)
      .set('X-Ledger-Position', (await test.eventLog.headPosition()) as string)
      .expect(200);
    const items = alerts.items as { causeEventId: string; kind: string }[];
    expect(items.map((alert) => alert.causeEventId).sort()).toEqual(
      breached.map((event) => event.id).sort(),
    );
    expect(items.every((alert) => alert.kind === 'drift')).toBe(true);

    // Checked again (a replay, another replica): nothing is recorded twice.
    const before = await test.countEvents();
    const again = await test.app.get(DriftMonitor).check(batch.id);
    expect(again.breaches).toHaveLength(breached.length);
    expect(await test.countEvents()).toBe(before);
  });

  it('takes again the check of a process that died mid-way, once its lease ran out, recording nothing twice', async () => {
    const batch = await post(
      binnedBatchBody(evaluation, '1.0.0', sampleRows(211, 1000, 0.4), window()),
    );
    const sql = test.app.get(DataSource);
    const before = await test.countEvents();
    // A process took the check and died: its lease still runs, so nobody takes it yet.
    await sql.query(
      `UPDATE monitoring_checks SET done_at = NULL, claimed_by = 'a-dead-process',
         claimed_until = now() + interval '1 hour' WHERE batch_id = $1`,
      [batch.id],
    );
    expect(await test.app.get(DriftMonitor).drain()).toBe(0);
    // Its lease runs out: the check is taken and done, and its signals stand once.
    await sql.query(
      `UPDATE monitoring_checks SET claimed_until = now() - interval '1 second' WHERE batch_id = $1`,
      [batch.id],
    );
    // This drain, or the monitor's own pass it waits for, takes it.
    await test.app.get(DriftMonitor).drain();
    expect(await sql.query('SELECT * FROM monitoring_checks WHERE done_at IS NULL')).toEqual([]);
    expect(await test.countEvents()).toBe(before);
  });

  it('pools the batches the policy’s window names', async () => {
    await test
      .anonymous()
      .put(`${API}/policies/monitoring`)
      .set('Authorization', admin)
      .send({ models: { 'credit-risk': { window: { batches: 2 } } } })
      .expect(200);
    const before = (await signals()).length;
    // A quiet batch after the shifted one: pooled with it, the window still drifts.
    const batch = await post(binnedBatchBody(evaluation, '1.0.0', sampleRows(301, 1000), window()));
    const added = (await signals()).slice(before).filter((e) => e.type === 'DriftDetected');
    expect(added.length).toBeGreaterThan(0);
    for (const event of added) {
      const span = event.data.window as { from: string; to: string };
      expect(Date.parse(span.to) - Date.parse(span.from)).toBe(2 * 3_600_000);
    }
    expect((await test.app.get(DriftMonitor).check(batch.id)).figures.length).toBe(5);
  });

  it('triggers retraining on a breach when the policy says so, once', async () => {
    await test
      .anonymous()
      .put(`${API}/policies/monitoring`)
      .set('Authorization', admin)
      .send({ tiers: { high: { onBreach: { retrain: true } } } })
      .expect(200);
    const batch = await post(
      binnedBatchBody(evaluation, '1.0.0', sampleRows(501, 1000, 0.4), window()),
    );
    const triggers = await streamEvents(test.eventLog, streams.retraining('credit-risk'));
    expect(triggers).toHaveLength(1);
    const drift = (await signals()).filter(
      (event) => event.type === 'DriftDetected' && event.data.breached,
    );
    const cited = triggers[0].data.signals as { eventId: string; type: string }[];
    expect(triggers[0].data).toMatchObject({
      model: 'credit-risk',
      reason: 'drift',
      triggeredBy: 'attest',
    });
    expect(cited.every((signal) => signal.type === 'DriftDetected')).toBe(true);
    expect(cited.every((signal) => drift.some((event) => event.id === signal.eventId))).toBe(true);
    // Checked again: the same trigger, not a second one.
    await test.app.get(DriftMonitor).check(batch.id);
    expect(await streamEvents(test.eventLog, streams.retraining('credit-risk'))).toHaveLength(1);
  });

  it('pools the batches ending within the policy’s hours', async () => {
    await test
      .anonymous()
      .put(`${API}/policies/monitoring`)
      .set('Authorization', admin)
      .send({ default: { window: { hours: 3 } } })
      .expect(200);
    const before = (await signals()).length;
    // Hourly batches: this one and the two before it end within three hours of its end.
    await post(binnedBatchBody(evaluation, '1.0.0', sampleRows(601, 1000), window()));
    const added = (await signals()).slice(before).filter((e) => e.type === 'DriftDetected');
    expect(added.length).toBeGreaterThan(0);
    for (const event of added) {
      const span = event.data.window as { from: string; to: string };
      expect(Date.parse(span.to) - Date.parse(span.from)).toBe(3 * 3_600_000);
    }
  });

  it('enqueues no batch again when its projection is rebuilt from zero', async () => {
    const sql = test.app.get(DataSource);
    const [{ n: batches }] = (await sql.query(
      'SELECT count(*)::int AS n FROM monitoring_batches',
    )) as { n: number }[];
    const before = await test.countEvents();
    await test.runner.rebuild(['monitoring-checks']);
    expect(await sql.query('SELECT * FROM monitoring_checks WHERE done_at IS NULL')).toEqual([]);
    expect(await sql.query('SELECT count(*)::int AS n FROM monitoring_batches')).toEqual([
      { n: batches },
    ]);
    await test.app.get(DriftMonitor).drain();
    expect(await test.countEvents()).toBe(before);
  });
});
