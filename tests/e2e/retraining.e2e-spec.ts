import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '../../src/ledger/event-log.port';
import { streams } from '../../src/ledger/stream-names';
import { RetrainingCadenceCheck } from '../../src/retraining/retraining-cadence';
import { RetrainingTrigger } from '../../src/retraining/retraining-trigger';
import { deploymentSeeds } from '../support/deployment-seeds';
import { settled } from '../support/events';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const DIGEST = `sha256:${'9f'.repeat(32)}`;

/** A training run of the model that completed at `at`, written straight into its stream. */
async function completedRun(test: TestApp, model: string, at: string): Promise<string> {
  const runId = uuidv7();
  const meta = (occurredAt: string) => ({
    schemaVersion: 1,
    occurredAt,
    actor: { sub: 'ci', roles: ['pipeline'] },
    correlationId: runId,
    causationId: runId,
  });
  const events: NewEvent[] = [
    {
      id: uuidv7(),
      type: 'TrainingRunStarted',
      data: {
        runId,
        model,
        datasetVersions: [{ name: 'loans', version: 'v1', contentHash: DIGEST }],
        code: { repository: 'credit', commit: 'abc1234' },
        algorithm: 'logistic-regression',
        hyperparameters: {},
        environment: {},
        startedBy: 'ci',
        startedAt: at,
      },
      metadata: meta(at),
    },
    {
      id: uuidv7(),
      type: 'TrainingRunCompleted',
      data: {
        runId,
        metrics: { auc: 0.8 },
        validationApproach: 'holdout',
        artifact: { uri: 's3://models/x', digest: DIGEST, format: 'onnx' },
        completedBy: 'ci',
        completedAt: at,
      },
      metadata: meta(at),
    },
  ];
  const result = await test.eventLog.append(streams.trainingRun(runId), events, {
    expectedRevision: 'no_stream',
  });
  await settled(test.eventLog, result.position);
  await test.runner.waitFor(result.position, 10_000);
  return events[1].id;
}

describe('retraining triggers', () => {
  const time = new TestClock('2026-01-05T09:00:00.000Z');
  let test: TestApp;

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
    const seeds = deploymentSeeds(test.eventLog);
    await seeds.registerModelVersion('credit-risk', '1.0.0');
    await seeds.registerModelVersion('fraud', '1.0.0');
    // credit-risk is to be retrained every 30 days; fraud (high risk, like credit-risk) never.
    await test
      .anonymous()
      .put('/api/v1/policies/monitoring')
      .set('Authorization', `Bearer ${await test.token('ada', ['admin'])}`)
      .send({
        tiers: { high: { retrainEveryDays: null } },
        models: { 'credit-risk': { retrainEveryDays: 30 } },
      })
      .expect(200);
  });
  afterAll(() => test.close());

  const bearer = async (roles: Parameters<TestApp['token']>[1]) =>
    `Bearer ${await test.token('someone', roles)}`;

  it('records a manual trigger for a risk manager and lists it for every reader', async () => {
    const written = await test
      .anonymous()
      .post('/api/v1/models/credit-risk/retraining-triggers')
      .set('Authorization', await bearer(['risk-manager']))
      .send({ note: 'the bureau changed its score bands' })
      .expect(201);
    expect(written.body.eventIds).toHaveLength(1);
    const listed = await test
      .anonymous()
      .get('/api/v1/models/credit-risk/retraining-triggers')
      .set('Authorization', await bearer(['regulator']))
      .expect(200);
    expect(listed.body.triggers).toEqual([
      expect.objectContaining({
        triggerId: written.body.id,
        model: 'credit-risk',
        reason: 'manual',
        signals: [],
        note: 'the bureau changed its score bands',
        triggeredBy: 'someone',
        eventId: written.body.eventIds[0],
      }),
    ]);
  });

  it('refuses other roles, an unregistered model and a missing note, recording nothing', async () => {
    const before = await test.countEvents();
    const post = async (path: string, roles: Parameters<TestApp['token']>[1], body: object) =>
      test
        .anonymous()
        .post(`/api/v1/models/${path}/retraining-triggers`)
        .set('Authorization', await bearer(roles))
        .send(body);
    expect((await post('credit-risk', ['pipeline'], { note: 'x' })).status).toBe(403);
    expect((await post('credit-risk', ['regulator'], { note: 'x' })).status).toBe(403);
    expect((await post('nobody', ['data-scientist'], { note: 'x' })).status).toBe(404);
    const missing = await post('credit-risk', ['data-scientist'], {});
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.errors)).toEqual(['note']);
    expect((await post('Not_A_Name', ['data-scientist'], { note: 'x' })).status).toBe(400);
    expect(await test.countEvents()).toBe(before);
    await test
      .anonymous()
      .get('/api/v1/models/nobody/retraining-triggers')
      .set('Authorization', await bearer(['regulator']))
      .expect(404);
  });

  it('records a breach once, however many callers see it at once', async () => {
    const trigger = test.app.get(RetrainingTrigger);
    const signal = {
      eventId: uuidv7(),
      type: 'DriftDetected',
      metric: 'psi',
      value: 0.31,
      threshold: 0.25,
    };
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        trigger.trigger({ model: 'fraud', reason: 'drift', signals: [signal] }),
      ),
    );
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(1);
    expect(outcomes.flatMap((o) => o.eventIds)).toHaveLength(1);
    const stored = await test.eventLog.readStream(streams.retraining('fraud'));
    expect(stored.map((e) => [e.type, e.data.reason, e.data.signals])).toEqual([
      ['RetrainingTriggered', 'drift', [signal]],
    ]);
    expect(stored[0].metadata.actor.sub).toBe('attest:retraining');
  });

  it('triggers a cadence once per period after the last completed run, and not before', async () => {
    const cadence = test.app.get(RetrainingCadenceCheck);
    const completedEventId = await completedRun(test, 'credit-risk', '2026-01-05T09:00:00.000Z');
    await completedRun(test, 'fraud', '2025-01-01T00:00:00.000Z'); // no cadence for fraud

    time.set('2026-02-04T08:59:59.000Z'); // 30 days less a second
    expect(await cadence.check()).toEqual([]);

    time.set('2026-02-05T10:00:00.000Z');
    const first = await cadence.check();
    expect(first).toEqual([
      expect.objectContaining({
        model: 'credit-risk',
        dueAt: '2026-02-04T09:00:00.000Z',
        recorded: true,
      }),
    ]);
    // Checked again in the same period (or by another replica): recorded once.
    const again = await Promise.all([cadence.check(), cadence.check()]);
    expect(again.flat().map((d) => [d.triggerId, d.recorded])).toEqual([
      [first[0].triggerId, false],
      [first[0].triggerId, false],
    ]);

    // Still not retrained a cadence later: due again.
    time.set('2026-03-08T00:00:00.000Z');
    const second = await cadence.check();
    expect(second).toEqual([
      expect.objectContaining({ dueAt: '2026-03-06T09:00:00.000Z', recorded: true }),
    ]);

    // Retrained: nothing is due until 30 days after the new run.
    await completedRun(test, 'credit-risk', '2026-03-07T12:00:00.000Z');
    time.set('2026-04-05T00:00:00.000Z');
    expect(await cadence.check()).toEqual([]);

    const cadences = (await test.eventLog.readStream(streams.retraining('credit-risk'))).filter(
      (e) => e.data.reason === 'cadence',
    );
    expect(cadences.map((e) => e.data.signals)).toEqual([
      [
        {
          eventId: completedEventId,
          type: 'TrainingRunCompleted',
          metric: 'days-since-training',
          value: 30,
          threshold: 30,
        },
      ],
      [
        {
          eventId: completedEventId,
          type: 'TrainingRunCompleted',
          metric: 'days-since-training',
          value: 60,
          threshold: 30,
        },
      ],
    ]);
  });
});

describe('the retraining cadence schedule', () => {
  it('records a due cadence on its own every RETRAINING_CHECK_INTERVAL_MS', async () => {
    const time = new TestClock('2026-01-05T09:00:00.000Z');
    const test = await startTestApp({
      clock: time.clock,
      env: { RETRAINING_CHECK_INTERVAL_MS: '20' },
    });
    try {
      await deploymentSeeds(test.eventLog).registerModelVersion('credit-risk', '1.0.0');
      await test
        .anonymous()
        .put('/api/v1/policies/monitoring')
        .set('Authorization', `Bearer ${await test.token('ada', ['admin'])}`)
        .send({ models: { 'credit-risk': { retrainEveryDays: 30 } } })
        .expect(200);
      await completedRun(test, 'credit-risk', '2026-01-05T09:00:00.000Z');
      time.set('2026-02-05T10:00:00.000Z');
      // Nothing calls the check here: the schedule's own passes find the cadence due.
      const cadences = async () =>
        (await test.eventLog.readStream(streams.retraining('credit-risk')).catch(() => [])).filter(
          (e) => e.data.reason === 'cadence',
        );
      const deadline = Date.now() + 10_000;
      while ((await cadences()).length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      const recorded = await cadences();
      expect(recorded.map((e) => e.data.signals)).toEqual([
        [expect.objectContaining({ metric: 'days-since-training', value: 30, threshold: 30 })],
      ]);
    } finally {
      await test.close();
    }
  });
});
