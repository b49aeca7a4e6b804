import { newEvent, newEvents, settled } from '../support/events';
import { TestApp, startTestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;

describe('ledger over HTTP', () => {
  let t: TestApp;
  let lastPosition: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { READ_WAIT_TIMEOUT_MS: '5000' } });
    await t.eventLog.append('dataset-loans', newEvents(3), { expectedRevision: 'no_stream' });
    await t.eventLog.append('model-scorecard', newEvents(2, { type: 'LedgerProbeNoted' }), {
      expectedRevision: 'no_stream',
    });
    lastPosition = (
      await t.eventLog.append('dataset-loans', newEvents(2), { expectedRevision: 2n })
    ).position;
    await settled(t.eventLog, lastPosition);
  });

  // The tests that need no projection running share one app, started by the first of them.
  let idleApp: TestApp | undefined;
  const idle = async () =>
    (idleApp ??= await startTestApp({
      env: { READ_WAIT_TIMEOUT_MS: '200', BODY_LIMIT_BYTES: '2048' },
      startProjections: false,
    }));

  afterAll(async () => {
    await idleApp?.close();
    await t?.close();
  });

  const ledgerSize = async () => (await t.eventLog.readAll({ maxCount: 100_000 })).length;

  describe('GET /api/v1/ledger/events', () => {
    it('pages through the whole ledger in global order with a cursor', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const query: Record<string, string> = { limit: '2', ...(after ? { after } : {}) };
        const response = await t.http().get('/api/v1/ledger/events').query(query).expect(200);
        seen.push(...response.body.items.map((event: { id: string }) => event.id));
        after = response.body.nextCursor;
      } while (after);
      const all = await t.eventLog.readAll();
      expect(seen).toEqual(all.map((event) => event.id));
      expect(seen).toHaveLength(7);
    });

    it('reads one stream in revision order from a revision cursor, with integrity metadata', async () => {
      const response = await t
        .http()
        .get('/api/v1/ledger/events')
        .query({ stream: 'dataset-loans', after: '1', limit: '2' })
        .expect(200);
      expect(response.body.items.map((event: { revision: number }) => event.revision)).toEqual([
        2, 3,
      ]);
      expect(response.body.nextCursor).toBe('3');
      const [event] = response.body.items;
      expect(event).toMatchObject({ stream: 'dataset-loans', type: 'LedgerProbeRecorded' });
      expect(event.metadata.integrity.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(event.metadata.actor).toEqual({ sub: 'pipeline-ci', roles: ['pipeline'] });
    });

    it('answers an unknown stream with 404 problem+json', async () => {
      const response = await t
        .http()
        .get('/api/v1/ledger/events')
        .query({ stream: 'dataset-nope' })
        .expect(404);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({
        status: 404,
        code: 'stream-not-found',
        stream: 'dataset-nope',
      });
    });
  });

  describe('read your writes', () => {
    it('waits for projections to pass X-Ledger-Position before answering', async () => {
      const { position } = await t.eventLog.append('dataset-fresh', newEvents(2), {
        expectedRevision: 'no_stream',
      });
      const response = await t
        .http()
        .get('/api/v1/ledger/streams/dataset-fresh')
        .set('X-Ledger-Position', position)
        .expect(200);
      expect(response.body).toMatchObject({
        stream: 'dataset-fresh',
        eventCount: 2,
        lastRevision: 1,
        lastPosition: position,
      });
    });

    it('answers 503 with Retry-After when projections do not reach the position in time', async () => {
      const slow = await idle();
      const { position } = await slow.eventLog.append('dataset-unseen', [newEvent()], {
        expectedRevision: 'no_stream',
      });
      const response = await slow
        .http()
        .get('/api/v1/ledger/streams')
        .set('X-Ledger-Position', position)
        .expect(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({ code: 'projections-behind', position });
    });

    it('lists streams from the stream index with cursor paging', async () => {
      const first = await t
        .http()
        .get('/api/v1/ledger/streams')
        .query({ limit: '1' })
        .set('X-Ledger-Position', lastPosition)
        .expect(200);
      expect(first.body.items).toHaveLength(1);
      const second = await t
        .http()
        .get('/api/v1/ledger/streams')
        .query({ limit: '1', after: first.body.nextCursor })
        .expect(200);
      expect(second.body.items[0].stream > first.body.items[0].stream).toBe(true);
    });
  });

  describe('bad input is a 4xx problem and leaves the ledger unchanged', () => {
    const cases: Array<
      [
        string,
        () => Promise<{
          status: number;
          body: Record<string, unknown>;
          headers: Record<string, string>;
        }>,
        number,
        string | undefined,
      ]
    > = [
      ['limit=0', () => t.http().get('/api/v1/ledger/events?limit=0'), 400, 'limit'],
      ['limit=abc', () => t.http().get('/api/v1/ledger/events?limit=abc'), 400, 'limit'],
      ['limit=5000', () => t.http().get('/api/v1/ledger/events?limit=5000'), 400, 'limit'],
      [
        'unknown query field',
        () => t.http().get('/api/v1/ledger/events?colour=red'),
        400,
        'colour',
      ],
      [
        'after that is no position',
        () => t.http().get('/api/v1/ledger/events?after=yesterday'),
        400,
        'after',
      ],
      [
        'after that is no revision',
        () => t.http().get('/api/v1/ledger/events?stream=dataset-loans&after=1-2'),
        400,
        'after',
      ],
      [
        'stream with bad characters',
        () => t.http().get('/api/v1/ledger/events?stream=%2Fetc%2Fpasswd'),
        400,
        'stream',
      ],
      ['streams limit', () => t.http().get('/api/v1/ledger/streams?limit=-1'), 400, 'limit'],
      [
        'NUL in a stream path',
        () => t.http().get('/api/v1/ledger/streams/dataset-%00'),
        400,
        'stream',
      ],
      [
        'NUL in a streams cursor',
        () => t.http().get('/api/v1/ledger/streams?after=a%00'),
        400,
        'after',
      ],
      [
        'NUL in a stream filter',
        () => t.http().get('/api/v1/ledger/events?stream=dataset-%00'),
        400,
        'stream',
      ],
      [
        'a position beyond the database types',
        () => t.http().get('/api/v1/ledger/events?after=1-99999999999999999999'),
        400,
        'after',
      ],
      [
        'X-Ledger-Position garbage',
        () => t.http().get('/api/v1/ledger/streams').set('X-Ledger-Position', 'latest'),
        400,
        'X-Ledger-Position',
      ],
      [
        'unknown stream index entry',
        () => t.http().get('/api/v1/ledger/streams/dataset-nope'),
        404,
        undefined,
      ],
      ['unknown route', () => t.http().get('/api/v1/nothing-here'), 404, undefined],
      [
        'POST to a read-only resource',
        () => t.http().post('/api/v1/ledger/events').send({}),
        404,
        undefined,
      ],
      [
        'malformed JSON',
        () =>
          t
            .http()
            .post('/api/v1/test-probe')
            .set('Content-Type', 'application/json')
            .send('{"name": '),
        400,
        undefined,
      ],
      [
        'unknown body field',
        () => t.http().post('/api/v1/test-probe').send({ name: 'a', count: 1, admin: true }),
        400,
        'admin',
      ],
      [
        'wrong body types',
        () => t.http().post('/api/v1/test-probe').send({ name: 7, count: 'many' }),
        400,
        'count',
      ],
      [
        'body over the size limit',
        () =>
          t
            .http()
            .post('/api/v1/test-probe')
            .send({ name: 'x'.repeat(2_000_000), count: 1 }),
        413,
        undefined,
      ],
      [
        'unsupported media type',
        () =>
          t.http().post('/api/v1/test-probe').set('Content-Type', 'application/xml').send('<a/>'),
        415,
        undefined,
      ],
    ];

    it.each(cases)('%s', async (_name, send, status, field) => {
      const before = await ledgerSize();
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({
        status,
        type: expect.stringMatching(/^urn:attest:problem:/),
        title: expect.any(String),
      });
      expect(response.body.correlationId).toEqual(expect.any(String));
      if (field) expect(Object.keys(response.body.errors as object)).toContain(field);
      expect(await ledgerSize()).toBe(before);
    });

    it('accepts a valid body on the same route, so the rejections above are about the input', async () => {
      await t
        .http()
        .post('/api/v1/test-probe')
        .send({ name: 'ok', count: 2 })
        .expect(202, { accepted: { name: 'ok', count: 2 } });
    });

    it('honours BODY_LIMIT_BYTES', async () => {
      const small = await idle();
      await small.http().post('/api/v1/test-probe').send({ name: 'ok', count: 1 }).expect(202);
      const response = await small
        .http()
        .post('/api/v1/test-probe')
        .send({ name: 'x'.repeat(3000), count: 1 })
        .expect(413);
      expect(response.body).toMatchObject({ status: 413, code: 'content-too-large' });
    });

    it('echoes X-Correlation-Id on success and in problems', async () => {
      const ok = await t
        .http()
        .get('/api/v1/health/live')
        .set('X-Correlation-Id', 'ci-run-42')
        .expect(200);
      expect(ok.headers['x-correlation-id']).toBe('ci-run-42');
      const bad = await t
        .http()
        .get('/api/v1/ledger/events?limit=0')
        .set('X-Correlation-Id', 'ci-run-43')
        .expect(400);
      expect(bad.body.correlationId).toBe('ci-run-43');
      const generated = await t
        .http()
        .get('/api/v1/health/live')
        .set('X-Correlation-Id', 'has spaces, not allowed')
        .expect(200);
      expect(generated.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('verify', () => {
    it('reports an intact ledger, then names the one event changed behind its back', async () => {
      const intact = await t.http().get('/api/v1/ledger/verify').expect(200);
      expect(intact.body).toMatchObject({ ok: true, mismatchCount: 0, firstMismatch: null });
      expect(intact.body.eventsChecked).toBe(await ledgerSize());

      const [victim] = await t.eventLog.readStream('model-scorecard', {
        fromRevision: 1n,
        maxCount: 1,
      });
      await t.tamper(victim.id, { tampered: true });
      const tampered = await t.http().get('/api/v1/ledger/verify').expect(200);
      expect(tampered.body).toMatchObject({
        ok: false,
        mismatchCount: 1,
        firstMismatch: {
          stream: 'model-scorecard',
          revision: 1,
          id: victim.id,
          reason: 'hash-mismatch',
        },
      });
    });
  });

  describe('operations', () => {
    it('reports liveness and readiness with projection lag', async () => {
      await t
        .http()
        .get('/api/v1/health/live')
        .expect(200, { status: 'ok', info: {}, error: {}, details: {} });
      const ready = await t.http().get('/api/v1/health/ready').expect(200);
      expect(ready.body.details.database.status).toBe('up');
      expect(ready.body.details.eventLog.status).toBe('up');
      expect(ready.body.details.projections['stream-index']).toMatchObject({
        state: expect.stringMatching(/live|catching-up/),
      });
      expect(ready.body.details.projections['stream-index'].lagSeconds).toEqual(expect.any(Number));
    });

    it('reports not ready when a projection is not running', async () => {
      const response = await (await idle()).http().get('/api/v1/health/ready').expect(503);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.checks.details.projections['stream-index'].state).toBe('stopped');
    });

    it('exposes Prometheus metrics with projection lag', async () => {
      const response = await t.http().get('/metrics').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toMatch(
        /^attest_projection_lag_seconds\{projection="stream-index"\} \d+/m,
      );
      expect(response.text).toMatch(
        /^attest_projection_events_applied_total\{projection="stream-index"\} [1-9]\d*/m,
      );
      expect(response.text).toMatch(/^process_resident_memory_bytes \d+/m);
    });

    it('serves the OpenAPI document and the docs page', async () => {
      const spec = await t.http().get('/api/docs-json').expect(200);
      expect(Object.keys(spec.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/ledger/events',
          '/api/v1/ledger/verify',
          '/api/v1/ledger/streams',
          '/api/v1/health/ready',
        ]),
      );
      const listEvents = spec.body.paths['/api/v1/ledger/events'].get;
      expect(listEvents.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['stream', 'after', 'limit', 'X-Ledger-Position']),
      );
      expect(listEvents.responses['400'].content['application/problem+json']).toBeDefined();
      expect(spec.body.components.schemas.ProblemView.properties).toHaveProperty('errors');
      const page = await t.http().get('/api/docs').redirects(1).expect(200);
      expect(page.text).toContain('swagger');
    });
  });
});

describe('logs', () => {
  it('writes JSON lines with the correlation id and never the bearer token', async () => {
    const { PassThrough } = await import('node:stream');
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) =>
      lines.push(...chunk.toString().split('\n').filter(Boolean)),
    );
    const logged = await startTestApp({ env: { LOG_LEVEL: 'info' }, logStream: stream });
    const secret = await logged.token('alice', ['regulator']);
    try {
      await logged
        .anonymous()
        .get('/api/v1/ledger/events?limit=0')
        .set('X-Correlation-Id', 'trace-me-7')
        .set('Authorization', `Bearer ${secret}`)
        .expect(400);
      await logged.http().get('/api/v1/health/live').set('X-Correlation-Id', 'probe-1').expect(200);
      expect(lines.some((line) => line.includes('probe-1'))).toBe(false);
      const entry = lines
        .map((line) => JSON.parse(line))
        .find((record) => record.req?.id === 'trace-me-7');
      expect(entry).toMatchObject({
        level: 30,
        msg: 'request completed',
        res: { statusCode: 400 },
      });
      expect(lines.join('\n')).not.toContain(secret);
      // The store's start-up lines (written before Nest's logger exists) reach the same stream.
      expect(lines.map((line) => JSON.parse(line))).toContainEqual(
        expect.objectContaining({ level: 30, context: 'Database', msg: expect.any(String) }),
      );
    } finally {
      await logged.close();
    }
  });
});
