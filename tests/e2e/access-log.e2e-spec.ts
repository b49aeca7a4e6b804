import { AccessLogRecorder } from '../../src/access-log/access-log.recorder';
import type { Role } from '../../src/auth/roles';
import { settled } from '../support/events';
import { TestApp, startTestApp } from '../support/test-app';

const HASH = `sha256:${'ab'.repeat(32)}`;
const dataset = (personal: boolean) => ({
  version: 'v1',
  contentHash: HASH,
  rows: 10,
  schema: [
    personal
      ? { name: 'income', type: 'number', personal: true, sensitive: false, category: 'financial' }
      : { name: 'term', type: 'number', personal: false, sensitive: false },
  ],
  location: 's3://lake/x.parquet',
  region: 'AU',
  ...(personal ? { lawfulBasis: 'consent', collectionNotice: 'notice-v1', retention: 'P7Y' } : {}),
});

/** docs/design.md §7: every regulator request and every read of personal data is recorded, in the ledger. */
describe('the access log', () => {
  let test: TestApp;
  const bearer = new Map<string, string>();
  const as = (who: string) => `Bearer ${bearer.get(who)}`;

  /** The access log as a compliance officer sees it, once `actor`'s newest record is projected. */
  async function accessLog(actor: string, query = '') {
    const [newest] = await test.eventLog.readStream(`access-log-${actor}`, {
      direction: 'backwards',
      maxCount: 1,
    });
    await settled(test.eventLog, newest.position);
    expect(await test.runner.waitFor(newest.position, 5000)).toBe(true);
    return (
      await test
        .anonymous()
        .get(`/api/v1/compliance/access-log?actor=${actor}${query}`)
        .set('Authorization', as('carol'))
        .expect(200)
    ).body.items as Record<string, unknown>[];
  }

  beforeAll(async () => {
    test = await startTestApp();
    const people: [string, Role[]][] = [
      ['rita', ['regulator']],
      ['rex', ['regulator']],
      ['carol', ['compliance-officer']],
      ['dana', ['data-scientist']],
      ['ci', ['pipeline']],
    ];
    for (const [sub, roles] of people) bearer.set(sub, await test.token(sub, roles));
    for (const [name, personal] of [
      ['applicants', true],
      ['terms', false],
    ] as const) {
      await test
        .anonymous()
        .post(`/api/v1/datasets/${name}/versions`)
        .set('Authorization', as('ci'))
        .send(dataset(personal))
        .expect(201);
    }
  });
  afterAll(() => test.close());

  it('records each regulator request, refused ones included, with who, what, when and the answer', async () => {
    await test.anonymous().get('/api/v1/models').set('Authorization', as('rita')).expect(200);
    await test
      .anonymous()
      .get('/api/v1/ledger/events?limit=5')
      .set('Authorization', as('rita'))
      .expect(200);
    await test
      .anonymous()
      .post('/api/v1/datasets/applicants/versions')
      .set('Authorization', as('rita'))
      .send({})
      .expect(403);
    const rows = await accessLog('rita', '&kind=regulator-request');
    expect(rows.map((row) => [row.method, row.url, row.status])).toEqual([
      ['GET', '/api/v1/models', 200],
      ['GET', '/api/v1/ledger/events?limit=5', 200],
      ['POST', '/api/v1/datasets/applicants/versions', 403],
    ]);
    expect(rows[0]).toMatchObject({
      actorSub: 'rita',
      actorRoles: ['regulator'],
      eventId: expect.any(String),
    });
    const [stored] = await test.eventLog.readStream('access-log-rita');
    expect(stored).toMatchObject({
      type: 'RegulatorAccessed',
      data: { sub: 'rita', url: '/api/v1/models' },
    });
  });

  it('records many simultaneous regulator reads, each once', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        test
          .anonymous()
          .get(`/api/v1/datasets?limit=${i + 1}`)
          .set('Authorization', as('rex')),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    const rows = await accessLog('rex', '&kind=regulator-request&limit=100');
    expect(rows.map((row) => row.url).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `/api/v1/datasets?limit=${i + 1}`).sort(),
    );
  });

  it('records reads that show personal data, whoever makes them, and not the others', async () => {
    await test
      .anonymous()
      .get('/api/v1/datasets/applicants/versions/v1')
      .set('Authorization', as('dana'))
      .expect(200);
    await test
      .anonymous()
      .get('/api/v1/datasets/terms')
      .set('Authorization', as('dana'))
      .expect(200);
    const rows = await accessLog('dana', '&kind=personal-data');
    expect(rows).toEqual([
      expect.objectContaining({
        resourceKind: 'dataset-version',
        resourceIds: ['applicants@v1'],
        url: '/api/v1/datasets/applicants/versions/v1',
      }),
    ]);
  });

  it('records deletion request details as personal data', async () => {
    const request = await test
      .anonymous()
      .post('/api/v1/privacy/deletion-requests')
      .set('Authorization', as('carol'))
      .send({ subjectId: 'customer-77', receivedOn: '2026-11-01' })
      .expect(201);
    await test
      .anonymous()
      .get(`/api/v1/privacy/deletion-requests/${request.body.id}`)
      .set('Authorization', as('carol'))
      .set('X-Ledger-Position', request.body.ledgerPosition)
      .expect(200);
    const rows = await accessLog('carol', '&kind=personal-data');
    expect(rows).toEqual([
      expect.objectContaining({ resourceKind: 'deletion-request', resourceIds: [request.body.id] }),
    ]);
  });

  it('keeps the records in the ledger, hash-chained like every other event, and only for the right roles', async () => {
    const verify = await test
      .anonymous()
      .get('/api/v1/ledger/verify')
      .set('Authorization', as('carol'))
      .expect(200);
    expect(verify.body).toMatchObject({ ok: true });
    await test
      .anonymous()
      .get('/api/v1/compliance/access-log')
      .set('Authorization', as('ci'))
      .expect(403);
  });

  it('answers a regulator 503, not the data, when the record cannot be written', async () => {
    const recorder = test.app.get(AccessLogRecorder);
    const original = recorder.regulatorRequest.bind(recorder);
    recorder.regulatorRequest = () => Promise.reject(new Error('ledger down'));
    try {
      const response = await test
        .anonymous()
        .get('/api/v1/models')
        .set('Authorization', as('rita'))
        .expect(503);
      expect(response.body).toMatchObject({ code: 'access-log-unavailable' });
      expect(response.body.items).toBeUndefined();
    } finally {
      recorder.regulatorRequest = original;
    }
  });
});
