import { TestApp, startTestApp } from '../support/test-app';

describe('ETags on reads', () => {
  let test: TestApp;
  let pipeline: string;

  beforeAll(async () => {
    test = await startTestApp();
    pipeline = `Bearer ${await test.token('ci', ['pipeline'])}`;
  });
  afterAll(() => test.close());

  const register = (version: string) =>
    test
      .anonymous()
      .post('/api/v1/datasets/loans/versions')
      .set('Authorization', pipeline)
      .send({
        version,
        contentHash: `sha256:${'ab'.repeat(32)}`,
        rows: 1,
        schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
        location: 's3://x',
        region: 'AU',
      })
      .expect(201);

  it('answers 304 while a view is unchanged, and a new tag once the ledger changes it', async () => {
    const first = await register('v1');
    const read = (tag?: string) => {
      const call = test
        .http()
        .get('/api/v1/datasets/loans')
        .set('X-Ledger-Position', first.body.ledgerPosition);
      return tag ? call.set('If-None-Match', tag) : call;
    };
    const fresh = await read().expect(200);
    const tag = fresh.headers.etag as string;
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    const unchanged = await read(tag).expect(304);
    expect(unchanged.text).toBe('');
    const second = await register('v2');
    const changed = await test
      .http()
      .get('/api/v1/datasets/loans')
      .set('X-Ledger-Position', second.body.ledgerPosition)
      .set('If-None-Match', tag)
      .expect(200);
    expect(changed.headers.etag).not.toBe(tag);
    expect(changed.body.versions).toHaveLength(2);
  });
});
