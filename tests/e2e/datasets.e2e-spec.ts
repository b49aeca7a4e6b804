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
    expect(repeat.body).toEqual({ id: 'loans@2026-02', eventIds: [], ledgerPosition: first.body.ledgerPosition });
    await test
      .anonymous()
      .post('/api/v1/datasets/loans/versions')
      .set('Authorization', pipeline)
      .send(body({ contentHash: `sha256:${'cd'.repeat(32)}` }))
      .expect(409);
    expect(await test.eventLog.readStream('dataset-loans')).toHaveLength(1);
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
});
