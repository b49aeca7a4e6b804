import { deploymentDecider } from '../../src/deployments/deployment.decider';
import { StreamWriter } from '../../src/ledger/commands/stream-writer';
import { streams } from '../../src/ledger/stream-names';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import { DriftMonitor } from '../../src/monitoring/drift/drift-monitor';
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
import { type TestDatabase, createTestDatabase } from '../support/test-database';

const API = '/api/v1';

/**
 * Automatic rollback (README, "Monitoring by Attest"): a canary whose drift breaches a policy
 * that says to roll back is rolled back by Attest, once, however many replicas see the breach. On
 * PostgreSQL three app instances share one database, each running its drift monitor and each
 * checking the breaching batch itself as well; embedded (one process per store) one instance
 * checks it three times at once.
 */
describe('automatic rollback on a drift breach', () => {
  const shared = Boolean(process.env.DATABASE_URL);
  let database: TestDatabase | undefined;
  const replicas: TestApp[] = [];
  let evaluations: Map<string, ModelEvaluated>;

  beforeAll(async () => {
    database = shared ? await createTestDatabase('postgres') : undefined;
    // The first migrates the database; the others join it.
    replicas.push(await startTestApp({ database }));
    if (shared) {
      replicas.push(
        ...(await Promise.all([startTestApp({ database }), startTestApp({ database })])),
      );
    }
    const [first] = replicas;
    evaluations = await versionsWithBaselines(first.eventLog, ['1.0.0', '2.0.0']);
    await seedRollouts(first.eventLog, [
      { version: '1.0.0' },
      { version: '2.0.0', canaryPercent: 20 },
    ]);
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await database?.close();
  });

  it('rolls the breaching canary back exactly once, and the slot serves the previous version', async () => {
    const [first] = replicas;
    const admin = `Bearer ${await first.token('ann', ['admin'])}`;
    await first
      .anonymous()
      .put(`${API}/policies/monitoring`)
      .set('Authorization', admin)
      .send({ tiers: { high: { onBreach: { rollback: true } } } })
      .expect(200);
    const pipeline = `Bearer ${await first.token('ci', ['pipeline'])}`;
    const body = binnedBatchBody(
      evaluations.get('2.0.0') as ModelEvaluated,
      '2.0.0',
      sampleRows(401, 1000, 0.4),
      { from: '2026-12-02T00:00:00.000Z', to: '2026-12-02T01:00:00.000Z' },
    );
    const { body: batch } = await first
      .anonymous()
      .post(`${API}/deployments/${DEPLOYMENT}/prediction-batches`)
      .set('Authorization', pipeline)
      .send(body)
      .expect(201);

    // Every replica checks the batch at the same moment as its monitor does (a replay, a lease
    // run out): each one sees the breach and asks for the rollback.
    const concurrent = shared ? replicas : [first, first, first];
    for (const replica of replicas)
      await replica.runner.waitFor(batch.ledgerPosition as string, 20_000);
    const results = await Promise.all(
      concurrent.map((replica) => replica.app.get(DriftMonitor).check(batch.id as string)),
    );
    await driftSettled(first, batch.ledgerPosition as string, replicas);
    for (const result of results) expect(result.breaches.length).toBeGreaterThan(0);
    const alertIds = new Set(results.flatMap((result) => result.breaches.map((b) => b.alertId)));

    const deploymentEvents = await streamEvents(first.eventLog, streams.deployment(DEPLOYMENT));
    const rolledBack = deploymentEvents.filter((event) => event.type === 'DeploymentRolledBack');
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack[0].data).toMatchObject({
      fromVersion: '2.0.0',
      toVersion: '1.0.0',
      automatic: true,
      rolledBackBy: 'attest',
    });
    expect(alertIds.has(rolledBack[0].data.causeAlertId as string)).toBe(true);

    // Every replica now serves the previous version, with no canary.
    for (const replica of replicas) {
      const state = await replica.app
        .get(StreamWriter)
        .state(deploymentDecider, streams.deployment(DEPLOYMENT));
      expect(state).toMatchObject({ status: 'active', version: '1.0.0', canary: null });
      const { body: detail } = await replica
        .anonymous()
        .get(`${API}/deployments/${DEPLOYMENT}`)
        .set('Authorization', `Bearer ${await replica.token('ann', ['admin'])}`)
        .set('X-Ledger-Position', rolledBack[0].position)
        .expect(200);
      expect(detail.deployment).toMatchObject({ version: '1.0.0' });
    }

    // Checked again on every replica: nothing more is recorded.
    const before = await first.countEvents();
    await Promise.all(
      concurrent.map((replica) => replica.app.get(DriftMonitor).check(batch.id as string)),
    );
    expect(await first.countEvents()).toBe(before);
  });
});
