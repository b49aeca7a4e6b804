import { TestApp, startTestApp } from '../support/test-app';

const HASH = `sha256:${'ab'.repeat(32)}`;

const body = (overrides: Record<string, unknown> = {}) => ({
  version: '2026-02',
  contentHash: HASH,
  rows: 1000,
  schema: [
    { name: 'income', type: 'number', personal: true, sensitive: false, category: 'financial' },
    { name: 'term', type: 'number', personal: false, sensitive: false },
  ],
  location: 's3://lake/loans/2026-02.parquet',
  region: 'ap-southeast-2',
  lawfulBasis: 'consent',
  collectionNotice: 'https://bank.example/notice',
  retention: 'P7Y',
  ...overrides,
});

describe('datasets over HTTP', () => {
  let test: TestApp;
  let pipeline: string;

  beforeAll(async () => {
    test = await startTestApp();
    pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
  });
  afterAll(() => test.close());

  it('registers a version with actor and correlation metadata, and answers a repeat with no new event', async () => {
    const first = await test
      .anonymous()
      .post('/api/v1/datasets/loans/versions')
      .set('Authorization', pipeline)
      .set('X-Correlation-Id', 'corr-ds-1')
      .send(body())
      .expect(201);
    expect(first.body).toMatchObject({ id: 'loans@2026-02', eventIds: [expect.any(String)] });
    const [event] = await test.eventLog.readStream('dataset-loans');
    expect(event.metadata).toMatchObject({
      actor: { sub: 'ci-pipeline', roles: ['pipeline'] },
      correlationId: 'corr-ds-1',
      causationId: expect.any(String),
    });
    const repeat = await test
      .anonymous()
      .post('/api/v1/datasets/loans/versions')
      .set('Authorization', pipeline)
      .send(body())
      .expect(201);
    expect(repeat.body).toEqual({
      id: 'loans@2026-02',
      eventIds: [],
      ledgerPosition: first.body.ledgerPosition,
    });
    await test
      .anonymous()
      .post('/api/v1/datasets/loans/versions')
      .set('Authorization', pipeline)
      .send(body({ contentHash: `sha256:${'cd'.repeat(32)}` }))
      .expect(409);
    expect(await test.eventLog.readStream('dataset-loans')).toHaveLength(1);
  });

  it('refuses the same version and hash with other facts, naming each field, and appends nothing', async () => {
    const post = (payload: object) =>
      test
        .anonymous()
        .post('/api/v1/datasets/applicants/versions')
        .set('Authorization', pipeline)
        .send(payload);
    const first = await post(body()).expect(201);
    const changed = body({
      region: 'us-east-1',
      retention: 'P10Y',
      schema: [
        { name: 'income', type: 'number', personal: false, sensitive: false },
        { name: 'term', type: 'number', personal: false, sensitive: false },
      ],
    });
    const conflict = await post(changed).expect(409);
    expect(conflict.headers['content-type']).toContain('application/problem+json');
    expect(conflict.body).toMatchObject({
      code: 'dataset-version-immutable',
      errors: {
        region: ['registered "ap-southeast-2", given "us-east-1"'],
        retention: ['registered "P7Y", given "P10Y"'],
        'schema.0.personal': ['registered true, given false'],
        'schema.0.category': ['registered "financial", given null'],
      },
      differences: expect.arrayContaining([
        { field: 'region', registered: 'ap-southeast-2', given: 'us-east-1' },
      ]),
    });
    expect(Object.keys(conflict.body.errors)).toHaveLength(4);
    expect(await test.eventLog.readStream('dataset-applicants')).toHaveLength(1);
    // The identical registration is still the idempotent answer: 201, no event, the same position.
    const repeat = await post(body()).expect(201);
    expect(repeat.body).toEqual({ ...first.body, eventIds: [] });
    const version = await test
      .http()
      .get('/api/v1/datasets/applicants/versions/2026-02')
      .set('X-Ledger-Position', first.body.ledgerPosition)
      .expect(200);
    expect(version.body).toMatchObject({ region: 'ap-southeast-2', retention: 'P7Y' });
  });

  it('replays an Idempotency-Key and refuses it with another body', async () => {
    const send = (payload: object) =>
      test
        .anonymous()
        .post('/api/v1/datasets/bureau/versions')
        .set('Authorization', pipeline)
        .set('Idempotency-Key', 'key-1')
        .send(payload);
    const first = await send(body()).expect(201);
    const again = await send(body()).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await send(body({ version: '2026-03' })).expect(422);
    expect(other.body).toMatchObject({ code: 'idempotency-key-reused' });
    expect(await test.eventLog.readStream('dataset-bureau')).toHaveLength(1);
  });

  it('records validations, a profile and retirement, and shows them in the read views', async () => {
    const post = (path: string, payload: object) =>
      test
        .anonymous()
        .post(`/api/v1/datasets/${path}`)
        .set('Authorization', pipeline)
        .send(payload);
    await post(
      'scores/versions',
      body({ version: 'v1', parents: [{ name: 'loans', version: '2026-02' }] }),
    ).expect(201);
    await post('scores/versions/v1/validations', {
      suite: 'ge-suite',
      passed: false,
      checks: [{ name: 'no-null-income', passed: false, detail: '12 nulls' }],
    }).expect(201);
    await post('scores/versions/v1/profile', {
      features: [
        {
          name: 'income',
          count: 1000,
          missing: 0,
          mean: 5,
          histogram: { edges: [0, 5, 10], counts: [400, 600] },
        },
      ],
    }).expect(201);
    const retired = await post('scores/versions/v1/retirement', { reason: 'superseded' }).expect(
      201,
    );
    const position = retired.body.ledgerPosition as string;

    const version = await test
      .http()
      .get('/api/v1/datasets/scores/versions/v1')
      .set('X-Ledger-Position', position)
      .expect(200);
    expect(version.body).toMatchObject({
      name: 'scores',
      version: 'v1',
      contentHash: HASH,
      region: 'ap-southeast-2',
      containsPersonalInformation: true,
      containsSensitiveInformation: false,
      lawfulBasis: 'consent',
      retention: 'P7Y',
      parents: [{ name: 'loans', version: '2026-02' }],
      status: 'retired',
      retiredReason: 'superseded',
      validations: [
        {
          suite: 'ge-suite',
          passed: false,
          failedChecks: ['no-null-income'],
          validatedBy: 'ci-pipeline',
        },
      ],
      latestProfile: { features: [{ name: 'income', mean: 5 }] },
      registeredBy: 'ci-pipeline',
    });
    const list = await test.http().get('/api/v1/datasets').expect(200);
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'scores',
          versionCount: 1,
          latestVersion: 'v1',
          regions: ['ap-southeast-2'],
        }),
      ]),
    );
    const dataset = await test.http().get('/api/v1/datasets/scores').expect(200);
    expect(dataset.body.versions).toHaveLength(1);
    await test.http().get('/api/v1/datasets/nothing-here').expect(404);
    await test.http().get('/api/v1/datasets/scores/versions/v9').expect(404);
  });

  it('refuses bad input with the field named and appends nothing', async () => {
    const before = await test.countEvents();
    const post = (path: string, payload: object, token = pipeline) =>
      test.anonymous().post(`/api/v1/datasets/${path}`).set('Authorization', token).send(payload);
    const cases: [string, object, number, string][] = [
      ['Bad_Name/versions', body(), 400, 'name'],
      ['loans/versions', body({ contentHash: 'md5:1' }), 400, 'contentHash'],
      ['loans/versions', body({ unexpected: true }), 400, 'unexpected'],
      [
        'loans/versions',
        body({ lawfulBasis: undefined, version: 'v-no-basis' }),
        422,
        'lawfulBasis',
      ],
      [
        'loans/versions',
        body({ version: 'v-orphan', parents: [{ name: 'ghost', version: '1' }] }),
        422,
        'parents',
      ],
      ['loans/versions/9999/validations', { suite: 's', passed: true, checks: [] }, 404, ''],
    ];
    for (const [path, payload, status, field] of cases) {
      const response = await post(path, payload).expect(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      if (field) expect(Object.keys(response.body.errors ?? {}).join(' ')).toContain(field);
    }
    const regulator = `Bearer ${await test.token('reg', ['regulator'])}`;
    await post('loans/versions', body({ version: 'v-reg' }), regulator).expect(403);
    expect(await test.countEvents()).toBe(before);
  });
});
