import { DataSource } from 'typeorm';
import { DeploymentsProjection } from '../../src/deployments/queries/deployments/deployments.projection';
import { PredictionsProjection } from '../../src/predictions/queries/prediction-batches/predictions.projection';
import { deploymentSeeds } from '../support/deployment-seeds';
import { redeliver } from '../support/redeliver';
import { TestApp, startTestApp } from '../support/test-app';

const DIGEST = `sha256:${'3c'.repeat(32)}`;

const batch = (overrides: Record<string, unknown> = {}) => ({
  version: '1.0.0',
  count: 1000,
  window: { from: '2026-02-28T00:00:00Z', to: '2026-03-01T00:00:00Z' },
  inputDigest: DIGEST,
  outputDistribution: { approve: 812, refer: 140, decline: 48 },
  featureSummaries: [
    { feature: 'annual_income', mean: 81200.5, stddev: 20400.1, missing: 3 },
    { feature: 'term', missing: 0 },
  ],
  latencyMs: { p50: 4, p95: 11, p99: 19 },
  decisions: { automated: 860, referred: 140 },
  ...overrides,
});

describe('deployments and predictions over HTTP', () => {
  let test: TestApp;
  let seeds: ReturnType<typeof deploymentSeeds>;
  let risk: string;
  let pipeline: string;
  let scientist: string;
  let regulator: string;

  const post = (path: string, auth: string, body?: object) => {
    const request = test.anonymous().post(`/api/v1${path}`).set('Authorization', auth);
    return body === undefined ? request : request.send(body);
  };
  const read = (path: string, position?: string) => {
    const request = test.http().get(`/api/v1${path}`);
    return position ? request.set('X-Ledger-Position', position) : request;
  };
  const eventCount = () => test.countEvents();

  beforeAll(async () => {
    test = await startTestApp();
    seeds = deploymentSeeds(test.eventLog);
    risk = `Bearer ${await test.token('rita', ['risk-manager'])}`;
    pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
    scientist = `Bearer ${await test.token('dana', ['data-scientist'])}`;
    regulator = `Bearer ${await test.token('reg', ['regulator'])}`;
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      await seeds.registerModelVersion('credit-risk', version);
    }
    await seeds.registerModelVersion('fraud', '1.0.0');
    await seeds.registerModelVersion('fraud', '0.9.0');
    await seeds.retireModelVersion('fraud', '0.9.0');
  });
  afterAll(() => test.close());

  it('runs a 10% canary, promotes it to all traffic, and shows it in the list and detail views', async () => {
    const first = await post('/deployments', risk, {
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'staging',
      strategy: 'full',
    }).expect(201);
    expect(first.body).toEqual({
      id: 'credit-risk.staging',
      ledgerPosition: expect.any(String),
      eventIds: [expect.any(String)],
    });
    const repeat = await post('/deployments', risk, {
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'staging',
      strategy: 'full',
    }).expect(201);
    expect(repeat.body).toEqual({ ...first.body, eventIds: [] });

    const canary = await post('/deployments', risk, {
      model: 'credit-risk',
      version: '2.0.0',
      environment: 'staging',
      strategy: 'canary',
      canaryPercent: 10,
    }).expect(201);
    const during = await read(
      '/deployments/credit-risk.staging',
      canary.body.ledgerPosition,
    ).expect(200);
    expect(during.body.deployment).toMatchObject({
      version: '1.0.0',
      canaryVersion: '2.0.0',
      canaryPercent: 10,
      strategy: 'canary',
      status: 'active',
    });

    await post('/deployments', risk, {
      model: 'credit-risk',
      version: '3.0.0',
      environment: 'staging',
      strategy: 'canary',
      canaryPercent: 5,
    })
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('canary-in-progress'));

    const promoted = await post('/deployments/credit-risk.staging/promotion', risk).expect(201);
    const [event] = (await test.eventLog.readStream('deployment-credit-risk.staging')).slice(-1);
    expect(event).toMatchObject({
      type: 'DeploymentPromoted',
      data: { version: '2.0.0', previousVersion: '1.0.0', promotedBy: 'rita' },
      metadata: { actor: { sub: 'rita', roles: ['risk-manager'] } },
    });
    await post('/deployments/credit-risk.staging/promotion', risk)
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('no-canary'));

    const detail = await read(
      '/deployments/credit-risk.staging',
      promoted.body.ledgerPosition,
    ).expect(200);
    expect(detail.body.deployment).toMatchObject({
      deploymentId: 'credit-risk.staging',
      model: 'credit-risk',
      environment: 'staging',
      version: '2.0.0',
      canaryVersion: null,
      canaryPercent: null,
      strategy: 'full',
      status: 'active',
      deployedBy: 'rita',
      lastRevision: 2,
    });
    expect(detail.body.history.map((h: { eventType: string }) => h.eventType)).toEqual([
      'ModelDeployed',
      'ModelDeployed',
      'DeploymentPromoted',
    ]);
    expect(detail.body.history[1]).toMatchObject({
      version: '2.0.0',
      strategy: 'canary',
      canaryPercent: 10,
      fromVersion: '1.0.0',
    });

    const list = await read(
      '/deployments?environment=staging',
      promoted.body.ledgerPosition,
    ).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ deploymentId: 'credit-risk.staging', version: '2.0.0' }),
    ]);
  });

  it('deploys two approved versions to production, then rolls back to the first, recording reason and automatic', async () => {
    const approval1 = await seeds.approval({
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
    });
    const approval2 = await seeds.approval({
      model: 'credit-risk',
      version: '2.0.0',
      environment: 'production',
    });
    await post('/deployments', risk, {
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      strategy: 'full',
      approvalId: approval1,
    }).expect(201);
    const second = await post('/deployments', pipeline, {
      model: 'credit-risk',
      version: '2.0.0',
      environment: 'production',
      strategy: 'full',
      approvalId: approval2,
    }).expect(201);
    const [deployed] = await test.eventLog.readStream('deployment-credit-risk.production', {
      fromRevision: 1n,
    });
    expect(deployed.data).toMatchObject({
      version: '2.0.0',
      previousVersion: '1.0.0',
      approvalId: approval2,
      deployedBy: 'ci-pipeline',
    });
    const before = await read('/deployments/credit-risk.production', second.body.ledgerPosition);
    expect(before.body.deployment).toMatchObject({ version: '2.0.0', approvalId: approval2 });

    const rolledBack = await post('/deployments/credit-risk.production/rollback', pipeline, {
      reason: 'approval rate fell 9 points',
      automatic: true,
    }).expect(201);
    expect(rolledBack.body.id).toBe('credit-risk.production');
    const detail = await read(
      '/deployments/credit-risk.production',
      rolledBack.body.ledgerPosition,
    ).expect(200);
    expect(detail.body.deployment).toMatchObject({
      version: '1.0.0',
      status: 'active',
      approvalId: approval1,
      deployedBy: 'ci-pipeline',
    });
    expect(detail.body.history[2]).toMatchObject({
      eventType: 'DeploymentRolledBack',
      fromVersion: '2.0.0',
      toVersion: '1.0.0',
      reason: 'approval rate fell 9 points',
      automatic: true,
      actor: 'ci-pipeline',
    });

    const production = await read(
      '/deployments?environment=production&status=active',
      rolledBack.body.ledgerPosition,
    ).expect(200);
    expect(production.body.items).toEqual([
      expect.objectContaining({ deploymentId: 'credit-risk.production', version: '1.0.0' }),
    ]);
  });

  it('refuses an unapproved production deploy with no event appended', async () => {
    const pending = await seeds.approval(
      { model: 'credit-risk', version: '3.0.0', environment: 'production' },
      'pending',
    );
    const stagingOnly = await seeds.approval({
      model: 'credit-risk',
      version: '3.0.0',
      environment: 'staging',
    });
    const count = await eventCount();
    const target = {
      model: 'credit-risk',
      version: '3.0.0',
      environment: 'production',
      strategy: 'full',
    };
    const missing = await post('/deployments', risk, target).expect(422);
    expect(missing.body).toMatchObject({
      code: 'approval-required',
      errors: { approvalId: expect.any(Array) },
    });
    for (const approvalId of [pending, stagingOnly]) {
      const refused = await post('/deployments', risk, { ...target, approvalId }).expect(422);
      expect(refused.body).toMatchObject({ code: 'approval-not-granted' });
    }
    expect(await eventCount()).toBe(count);
  });

  it('lets a pipeline deploy only approved versions outside production, and a risk manager any', async () => {
    await seeds.registerModelVersion('limits', '1.0.0');
    const count = await eventCount();
    const target = { model: 'limits', version: '1.0.0', environment: 'staging', strategy: 'full' };
    const refused = await post('/deployments', pipeline, target).expect(422);
    expect(refused.body.code).toBe('approval-required');
    expect(await eventCount()).toBe(count);

    await post('/deployments', risk, target).expect(201);

    const approvalId = await seeds.approval({
      model: 'limits',
      version: '1.0.0',
      environment: 'uat',
    });
    await post('/deployments', pipeline, { ...target, environment: 'uat', approvalId }).expect(201);
  });

  it('refuses unknown and retired versions, bad input, and callers without a deploying role', async () => {
    const count = await eventCount();
    const target = { model: 'fraud', version: '1.0.0', environment: 'staging', strategy: 'full' };
    const unknown = await post('/deployments', risk, { ...target, version: '7.0.0' }).expect(422);
    expect(unknown.body).toMatchObject({
      code: 'unknown-model-version',
      errors: { version: expect.any(Array) },
    });
    await post('/deployments', risk, { ...target, model: 'nobody' })
      .expect(422)
      .expect((res) => expect(res.body.code).toBe('unknown-model-version'));
    await post('/deployments', risk, { ...target, version: '0.9.0' })
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('model-version-retired'));

    const noPercent = await post('/deployments', risk, { ...target, strategy: 'canary' }).expect(
      400,
    );
    expect(noPercent.body.errors).toHaveProperty('canaryPercent');
    for (const canaryPercent of [0, 100, 12.5]) {
      await post('/deployments', risk, { ...target, strategy: 'canary', canaryPercent }).expect(
        400,
      );
    }
    const fullWithPercent = await post('/deployments', risk, {
      ...target,
      canaryPercent: 10,
    }).expect(400);
    expect(fullWithPercent.body.errors).toHaveProperty('canaryPercent');
    await post('/deployments', risk, { ...target, approvalId: 'not-a-uuid' }).expect(400);
    await post('/deployments', risk, { ...target, strategy: 'blue-green' }).expect(400);
    await post('/deployments', risk, { ...target, environment: 'Prod' }).expect(400);
    await post('/deployments', risk, { ...target, surprise: true }).expect(400);

    await post('/deployments', scientist, target).expect(403);
    await post('/deployments', regulator, target).expect(403);
    await test.anonymous().post('/api/v1/deployments').send(target).expect(401);
    expect(await eventCount()).toBe(count);
  });

  it('answers 400 for a malformed id, 404 for an unknown one, and 409 when nothing is deployed', async () => {
    const count = await eventCount();
    await post('/deployments/no-dot/promotion', risk).expect(400);
    await post('/deployments/Credit.prod/rollback', risk, { reason: 'x' }).expect(400);
    await post('/deployments/ghost.production/promotion', risk).expect(404);
    await post('/deployments/ghost.production/rollback', risk, { reason: 'x' }).expect(404);
    await post('/deployments/ghost.production/retirement', risk, { reason: 'x' }).expect(404);
    await read('/deployments/ghost.production').expect(404);
    await read('/deployments/no-dot').expect(400);
    await post('/deployments/credit-risk.staging/rollback', risk, {}).expect(400);
    await read('/deployments?asOf=2026-03-01').expect(400);
    await read('/deployments?status=paused').expect(400);
    await post('/deployments/credit-risk.staging/promotion', regulator).expect(403);
    expect(await eventCount()).toBe(count);

    await seeds.registerModelVersion('churn', '1.0.0');
    await post('/deployments', risk, {
      model: 'churn',
      version: '1.0.0',
      environment: 'staging',
      strategy: 'full',
    }).expect(201);
    const emptied = await post('/deployments/churn.staging/rollback', risk, {
      reason: 'bad launch',
    }).expect(201);
    await post('/deployments/churn.staging/rollback', risk, { reason: 'again' })
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('nothing-deployed'));
    const last = await post('/deployments/churn.staging/promotion', risk).expect(409);
    expect(last.body.code).toBe('no-canary');
    const inactive = await read(
      '/deployments?model=churn&status=inactive',
      emptied.body.ledgerPosition,
    ).expect(200);
    expect(inactive.body.items).toEqual([
      expect.objectContaining({ deploymentId: 'churn.staging', version: null, approvalId: null }),
    ]);
  });

  it('records prediction batches of an active deployment and lists them newest window first', async () => {
    const first = await post(
      '/deployments/credit-risk.staging/prediction-batches',
      pipeline,
      batch({ version: '2.0.0' }),
    ).expect(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ledgerPosition: expect.any(String),
      eventIds: [expect.any(String)],
    });
    const [recorded] = await test.eventLog.readStream(`prediction-batch-${first.body.id}`);
    expect(recorded).toMatchObject({
      type: 'PredictionBatchRecorded',
      data: {
        batchId: first.body.id,
        deploymentId: 'credit-risk.staging',
        model: 'credit-risk',
        environment: 'staging',
        window: { from: '2026-02-28T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
        featureSummaries: [
          { feature: 'annual_income', mean: 81200.5, stddev: 20400.1, missing: 3 },
          { feature: 'term', mean: null, stddev: null, missing: 0 },
        ],
        recordedBy: 'ci-pipeline',
      },
    });
    const newer = await post(
      '/deployments/credit-risk.staging/prediction-batches',
      scientist,
      batch({
        version: '2.0.0',
        window: { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00+10:00' },
      }),
    ).expect(201);

    const list = await read(
      '/deployments/credit-risk.staging/prediction-batches',
      newer.body.ledgerPosition,
    ).expect(200);
    expect(list.body.items.map((b: { batchId: string }) => b.batchId)).toEqual([
      newer.body.id,
      first.body.id,
    ]);
    expect(list.body.items[1]).toMatchObject({
      version: '2.0.0',
      count: 1000,
      outputDistribution: { approve: 812, refer: 140, decline: 48 },
      latencyMs: { p50: 4, p95: 11, p99: 19 },
      decisions: { automated: 860, referred: 140 },
      window: { from: '2026-02-28T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
    });
    const one = await read('/deployments/credit-risk.staging/prediction-batches?limit=1').expect(
      200,
    );
    expect(one.body.items).toHaveLength(1);

    const keyed = () =>
      post(
        '/deployments/credit-risk.staging/prediction-batches',
        pipeline,
        batch({ version: '2.0.0' }),
      ).set('Idempotency-Key', 'batch-2026-03-01');
    const once = await keyed().expect(201);
    const twice = await keyed().expect(201);
    expect(twice.body.id).toBe(once.body.id);

    const truth = await post('/deployments/credit-risk.staging/ground-truth', pipeline, {
      version: '2.0.0',
      batchIds: [first.body.id, newer.body.id],
      window: { from: '2026-02-28T00:00:00Z', to: '2026-09-01T00:00:00Z' },
      count: 1800,
      labelsDigest: `sha256:${'cd'.repeat(32)}`,
      metrics: { auc: 0.81, defaultRate: 0.032 },
    }).expect(201);
    const truths = await read(
      '/deployments/credit-risk.staging/ground-truth',
      truth.body.ledgerPosition,
    ).expect(200);
    expect(truths.body.items).toEqual([
      expect.objectContaining({
        groundTruthId: truth.body.id,
        batchIds: [first.body.id, newer.body.id],
        count: 1800,
        metrics: { auc: 0.81, defaultRate: 0.032 },
      }),
    ]);

    const count = await eventCount();
    const foreign = await post('/deployments/credit-risk.production/ground-truth', pipeline, {
      version: '2.0.0',
      batchIds: [first.body.id],
      window: { from: '2026-02-28T00:00:00Z', to: '2026-09-01T00:00:00Z' },
      count: 10,
      labelsDigest: `sha256:${'cd'.repeat(32)}`,
      metrics: { auc: 0.8 },
    }).expect(422);
    expect(foreign.body.code).toBe('unknown-prediction-batch');
    expect(await eventCount()).toBe(count);
  });

  it('refuses prediction batches that do not fit the deployment or do not add up, appending nothing', async () => {
    await seeds.registerModelVersion('retiring', '1.0.0');
    await post('/deployments', risk, {
      model: 'retiring',
      version: '1.0.0',
      environment: 'staging',
      strategy: 'full',
    }).expect(201);
    const retired = await post('/deployments/retiring.staging/retirement', risk, {
      reason: 'product closed',
    }).expect(201);
    const again = await post('/deployments/retiring.staging/retirement', risk, {
      reason: 'product closed',
    }).expect(201);
    expect(again.body).toEqual({ ...retired.body, eventIds: [] });
    const shown = await read('/deployments/retiring.staging', retired.body.ledgerPosition).expect(
      200,
    );
    expect(shown.body.deployment).toMatchObject({ status: 'retired', version: null });

    const count = await eventCount();
    const path = '/deployments/credit-risk.staging/prediction-batches';
    await post('/deployments/retiring.staging/prediction-batches', pipeline, batch())
      .expect(409)
      .expect((res) => expect(res.body.code).toBe('deployment-not-active'));
    await post('/deployments/ghost.staging/prediction-batches', pipeline, batch()).expect(404);
    await post('/deployments/ghost/prediction-batches', pipeline, batch()).expect(400);
    await post(path, pipeline, batch({ version: '1.0.0' }))
      .expect(422)
      .expect((res) => expect(res.body.code).toBe('version-not-serving'));
    const window = await post(
      path,
      pipeline,
      batch({
        version: '2.0.0',
        window: { from: '2026-03-01T00:00:00Z', to: '2026-02-28T00:00:00Z' },
      }),
    ).expect(422);
    expect(window.body.errors).toHaveProperty(['window.to']);
    const sums = await post(
      path,
      pipeline,
      batch({
        version: '2.0.0',
        outputDistribution: { approve: 1 },
        decisions: { automated: 1, referred: 0 },
      }),
    ).expect(422);
    expect(Object.keys(sums.body.errors).sort()).toEqual(['decisions', 'outputDistribution']);
    await post(
      path,
      pipeline,
      batch({ version: '2.0.0', latencyMs: { p50: 30, p95: 11, p99: 19 } }),
    ).expect(422);

    const invalid = await post(
      path,
      pipeline,
      batch({ count: 0, inputDigest: 'md5:1', window: { from: '2026-03-01', to: 'soon' } }),
    ).expect(400);
    expect(Object.keys(invalid.body.errors)).toEqual(
      expect.arrayContaining(['count', 'inputDigest', 'window.from', 'window.to']),
    );
    // Raw personal data has no place in a batch: unknown fields are refused.
    await post(path, pipeline, batch({ version: '2.0.0', applicantName: 'Jo Citizen' })).expect(
      400,
    );
    await post(path, pipeline, {
      ...batch({ version: '2.0.0' }),
      featureSummaries: [{ feature: 'income', missing: 0, values: [51000] }],
    }).expect(400);
    await post(path, risk, batch({ version: '2.0.0' })).expect(403);
    expect(await eventCount()).toBe(count);

    await read('/deployments/ghost.staging/prediction-batches').expect(404);
    await read('/deployments/credit-risk.staging/prediction-batches?limit=0').expect(400);
    const none = await read('/deployments/retiring.staging/prediction-batches').expect(200);
    expect(none.body.items).toEqual([]);
  });

  it('gives identical tables when events are delivered again and when the projections are rebuilt', async () => {
    const tables = async () => {
      const db = test.app.get(DataSource);
      return {
        deployments: await db.query('SELECT * FROM deployments ORDER BY deployment_id'),
        history: await db.query(
          'SELECT * FROM deployment_history ORDER BY deployment_id, revision',
        ),
        batches: await db.query('SELECT * FROM prediction_batches ORDER BY batch_id'),
        groundTruth: await db.query('SELECT * FROM ground_truth ORDER BY ground_truth_id'),
      };
    };
    const all = await test.eventLog.readAll();
    await read('/deployments', all[all.length - 1].position).expect(200);
    const before = await tables();
    expect(before.deployments.length).toBeGreaterThan(3);
    expect(before.batches.length).toBeGreaterThan(1);

    await redeliver(
      test.app.get(DataSource),
      [test.app.get(DeploymentsProjection), test.app.get(PredictionsProjection)],
      all,
    );
    expect(await tables()).toEqual(before);

    await test.runner.rebuild(['deployments', 'predictions']);
    expect(await tables()).toEqual(before);
  });
});
