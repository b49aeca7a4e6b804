import { TestApp, startTestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;
const LOANS_HASH = `sha256:${'ab'.repeat(32)}`;
const BUREAU_HASH = `sha256:${'cd'.repeat(32)}`;
const ARTIFACT = `sha256:${'5e'.repeat(32)}`;
const UNKNOWN_RUN = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f';

const dataset = (version: string, contentHash: string) => ({
  version,
  contentHash,
  rows: 1000,
  schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
  location: `s3://lake/${version}.parquet`,
  region: 'ap-southeast-2',
});

const runBody = (overrides: Record<string, unknown> = {}) => ({
  model: 'credit-risk',
  datasetVersions: [
    { name: 'loans', version: '2026-02' },
    { name: 'bureau', version: '2026-01' },
  ],
  code: { repository: 'https://git.bank.example/ml/credit-risk', commit: '3f9c2e1' },
  algorithm: 'xgboost',
  hyperparameters: { maxDepth: 6, eta: 0.1 },
  environment: { python: '3.12', image: 'trainer:2026.02' },
  ...overrides,
});

const completion = (overrides: Record<string, unknown> = {}) => ({
  metrics: { auc: 0.81, ks: 0.42 },
  validationApproach: '5-fold cross-validation',
  artifact: { uri: 's3://models/credit-risk/model.onnx', digest: ARTIFACT, format: 'onnx' },
  ...overrides,
});

describe('training runs over HTTP', () => {
  let test: TestApp;
  let pipeline: string;
  let scientist: string;
  let regulator: string;

  /** The newest position any write answered: the ledger is counted once it is readable. */
  let last: string | undefined;
  const ledgerSize = () => test.countEvents();
  const post = async (path: string, token: string, body: object) => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', token)
      .send(body);
    const position = (response.body as { ledgerPosition?: string }).ledgerPosition;
    if (position && (!last || test.eventLog.comparePositions(position, last) > 0)) last = position;
    return response;
  };
  /** A write that must succeed with `status`. */
  const write = async (path: string, token: string, body: object, status = 201) => {
    const response = await post(path, token, body);
    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    return response;
  };
  const read = (path: string, position: string) =>
    test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', regulator)
      .set('X-Ledger-Position', position);
  const start = async (body: object = runBody()): Promise<{ id: string; ledgerPosition: string }> =>
    (await write('/training-runs', scientist, body)).body;

  /** Sends a request that must be refused, and checks the ledger did not grow. */
  async function refused(
    send: () => PromiseLike<{
      status: number;
      body: Record<string, unknown>;
      headers: Record<string, string>;
    }>,
    status: number,
    code?: string,
  ) {
    const before = await ledgerSize();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    if (code) expect(response.body.code).toBe(code);
    expect(await ledgerSize()).toBe(before);
    return response.body;
  }

  beforeAll(async () => {
    test = await startTestApp();
    pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
    scientist = `Bearer ${await test.token('dana', ['data-scientist'])}`;
    regulator = `Bearer ${await test.token('asic-reviewer', ['regulator'])}`;
    await write('/datasets/loans/versions', pipeline, dataset('2026-02', LOANS_HASH));
    await write('/datasets/bureau/versions', pipeline, dataset('2026-01', BUREAU_HASH));
  });
  afterAll(() => test.close());

  it('starts a run on registered dataset versions, recording their content hashes', async () => {
    const started = await start();
    expect(started.id).toMatch(/^[0-9a-f-]{36}$/);
    const [event] = await test.eventLog.readStream(`training-run-${started.id}`);
    expect(event).toMatchObject({
      type: 'TrainingRunStarted',
      data: {
        runId: started.id,
        model: 'credit-risk',
        datasetVersions: [
          { name: 'loans', version: '2026-02', contentHash: LOANS_HASH },
          { name: 'bureau', version: '2026-01', contentHash: BUREAU_HASH },
        ],
        startedBy: 'dana',
      },
      metadata: { actor: { sub: 'dana', roles: ['data-scientist'] } },
    });

    const view = await read(`/training-runs/${started.id}`, started.ledgerPosition).expect(200);
    expect(view.body).toMatchObject({
      id: started.id,
      model: 'credit-risk',
      status: 'running',
      datasetVersions: [
        { name: 'loans', version: '2026-02', contentHash: LOANS_HASH },
        { name: 'bureau', version: '2026-01', contentHash: BUREAU_HASH },
      ],
      code: { repository: 'https://git.bank.example/ml/credit-risk', commit: '3f9c2e1' },
      algorithm: 'xgboost',
      hyperparameters: { maxDepth: 6, eta: 0.1 },
      environment: { python: '3.12', image: 'trainer:2026.02' },
      metrics: null,
      artifact: null,
      startedBy: 'dana',
      finishedAt: null,
    });
  });

  it('repeats the run id for a retried start with the same Idempotency-Key', async () => {
    const send = () =>
      test
        .anonymous()
        .post('/api/v1/training-runs')
        .set('Authorization', pipeline)
        .set('Idempotency-Key', 'train-credit-risk-42')
        .send(runBody({ source: { runUrl: 'https://ci.bank.example/pipelines/42' } }));
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.body).toEqual(first.body);
    const [event] = await test.eventLog.readStream(`training-run-${first.body.id}`);
    expect(event.metadata.source).toEqual({ runUrl: 'https://ci.bank.example/pipelines/42' });
  });

  it('refuses dataset versions that are not registered, naming each', async () => {
    const body = await refused(
      () =>
        post(
          '/training-runs',
          scientist,
          runBody({
            datasetVersions: [
              { name: 'loans', version: '2026-02' },
              { name: 'loans', version: '2030-01' },
              { name: 'never-registered', version: '1' },
            ],
          }),
        ),
      422,
      'unknown-dataset-version',
    );
    expect(body.errors).toEqual({
      datasetVersions: ['loans@2030-01 is not registered', 'never-registered@1 is not registered'],
    });
  });

  it('refuses malformed starts with 400 naming the field, and a regulator with 403', async () => {
    const invalid = await refused(
      () =>
        post(
          '/training-runs',
          scientist,
          runBody({ datasetVersions: [], code: { repository: 'r', commit: 'xyz' }, extra: 1 }),
        ),
      400,
    );
    expect(Object.keys(invalid.errors as object)).toEqual(
      expect.arrayContaining(['datasetVersions', 'code.commit', 'extra']),
    );
    await refused(() => post('/training-runs', scientist, runBody({ hyperparameters: [1] })), 400);
    await refused(() => post('/training-runs', regulator, runBody()), 403);
  });

  it('completes a run once; an identical repeat is a no-op and anything else is 409', async () => {
    const run = await start();
    const done = await write(`/training-runs/${run.id}/completion`, pipeline, completion());
    expect(done.body).toMatchObject({ id: run.id, eventIds: [expect.any(String)] });

    const repeat = await write(`/training-runs/${run.id}/completion`, pipeline, completion());
    expect(repeat.body).toEqual({
      id: run.id,
      eventIds: [],
      ledgerPosition: done.body.ledgerPosition,
    });

    await refused(
      () =>
        post(
          `/training-runs/${run.id}/completion`,
          pipeline,
          completion({ metrics: { auc: 0.9 } }),
        ),
      409,
      'training-run-finished',
    );
    await refused(
      () => post(`/training-runs/${run.id}/failure`, pipeline, { reason: 'too late' }),
      409,
      'training-run-finished',
    );

    const view = await read(`/training-runs/${run.id}`, done.body.ledgerPosition).expect(200);
    expect(view.body).toMatchObject({
      status: 'completed',
      metrics: { auc: 0.81, ks: 0.42 },
      validationApproach: '5-fold cross-validation',
      artifact: { uri: 's3://models/credit-risk/model.onnx', digest: ARTIFACT, format: 'onnx' },
      finishedBy: 'ci-pipeline',
      finishedAt: expect.any(String),
      failureReason: null,
    });
  });

  it('fails a run once, with its reason in the read model', async () => {
    const run = await start();
    const failed = await write(`/training-runs/${run.id}/failure`, pipeline, {
      reason: 'out of memory',
    });
    const repeat = await write(`/training-runs/${run.id}/failure`, pipeline, {
      reason: 'out of memory',
    });
    expect(repeat.body.eventIds).toEqual([]);
    await refused(
      () => post(`/training-runs/${run.id}/completion`, pipeline, completion()),
      409,
      'training-run-finished',
    );
    const view = await read(`/training-runs/${run.id}`, failed.body.ledgerPosition).expect(200);
    expect(view.body).toMatchObject({
      status: 'failed',
      failureReason: 'out of memory',
      metrics: null,
    });
  });

  it('refuses to finish a run never started (404), a non-UUID id (400), bad artifacts (400) and a regulator (403)', async () => {
    await refused(
      () => post(`/training-runs/${UNKNOWN_RUN}/completion`, pipeline, completion()),
      404,
      'not-found',
    );
    await refused(
      () => post(`/training-runs/${UNKNOWN_RUN}/failure`, pipeline, { reason: 'x' }),
      404,
      'not-found',
    );
    const badId = await refused(
      () => post('/training-runs/run-1/completion', pipeline, completion()),
      400,
    );
    expect(badId.errors).toHaveProperty('id');
    const run = await start();
    const badArtifact = await refused(
      () =>
        post(
          `/training-runs/${run.id}/completion`,
          pipeline,
          completion({
            artifact: { uri: 'x', digest: 'md5:1', format: 'onnx' },
            metrics: { auc: 'high' },
          }),
        ),
      400,
    );
    expect(Object.keys(badArtifact.errors as object)).toEqual(
      expect.arrayContaining(['artifact.digest', 'metrics']),
    );
    await refused(() => post(`/training-runs/${run.id}/completion`, regulator, completion()), 403);
    await refused(
      () => post(`/training-runs/${run.id}/failure`, pipeline, { reason: 'x', why: 'y' }),
      400,
    );
  });

  it('lists runs newest first, by model, with a bounded limit', async () => {
    const other = await start(runBody({ model: 'fraud-screen' }));
    const all = await read('/training-runs?model=credit-risk', other.ledgerPosition).expect(200);
    expect(all.body.items.length).toBeGreaterThanOrEqual(4);
    expect(all.body.items.every((run: { model: string }) => run.model === 'credit-risk')).toBe(
      true,
    );
    const started = all.body.items.map((run: { startedAt: string }) => run.startedAt);
    expect([...started].sort().reverse()).toEqual(started);

    const fraud = await read('/training-runs?model=fraud-screen', other.ledgerPosition).expect(200);
    expect(fraud.body.items.map((run: { id: string }) => run.id)).toEqual([other.id]);
    const one = await read('/training-runs?limit=1', other.ledgerPosition).expect(200);
    expect(one.body.items).toHaveLength(1);
    await read('/training-runs?limit=201', other.ledgerPosition).expect(400);
    await read('/training-runs?model=Not_A_Name', other.ledgerPosition).expect(400);
  });

  it('answers 404 problem+json for a run never recorded, and 400 for a malformed id', async () => {
    const missing = await test.http().get(`/api/v1/training-runs/${UNKNOWN_RUN}`).expect(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM);
    expect(missing.body).toMatchObject({ code: 'not-found', kind: 'training run' });
    await test.http().get('/api/v1/training-runs/not-a-uuid').expect(400);
  });
});
