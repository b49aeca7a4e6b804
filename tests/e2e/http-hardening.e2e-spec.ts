import { TestApp, startTestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;

describe('HTTP hardening', () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await startTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(() => test.close());

  it('sends security headers on every answer, errors included', async () => {
    const answers = [
      await test.anonymous().get('/api/v1/health/live').expect(200),
      await test.anonymous().get('/api/v1/ledger/events').expect(401),
      await test.http().get('/api/v1/no-such-route').expect(404),
    ];
    for (const answer of answers) {
      expect(answer.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      });
      expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('keeps the OpenAPI UI working under its content security policy', async () => {
    const page = await test.anonymous().get('/api/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    // Every script the page runs is a file from this origin (inline scripts would be blocked).
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toMatch(/src=["'][^"':]+["']/);
    for (const [, src] of page.text.matchAll(/<script src=["']([^"']+)["']/g)) {
      const path = src.startsWith('/') ? src : `/api/docs/${src.replace(/^\.\//, '')}`;
      await test.anonymous().get(path).expect(200);
    }
    const spec = await test.anonymous().get('/api/docs-json').expect(200);
    expect(spec.body.paths['/api/v1/ledger/events'].get.responses['429']).toMatchObject({
      headers: { 'Retry-After': expect.any(Object) },
      content: { 'application/problem+json': expect.any(Object) },
    });
  });

  it('marks authenticated answers, personal-data views included, as not to be stored', async () => {
    for (const path of ['/api/v1/ledger/events', '/api/v1/privacy/personal-data']) {
      const answer = await test.http().get(path).expect(200);
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    const refused = await test.anonymous().get('/api/v1/models').expect(401);
    expect(refused.headers['cache-control']).toBe('no-store');
    const keys = await test.anonymous().get('/.well-known/jwks.json').expect(200);
    expect(keys.headers['cache-control']).not.toBe('no-store');
  });

  it('answers problem+json for errors raised before any route runs', async () => {
    const pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
    const post = () =>
      test.anonymous().post('/api/v1/datasets/loans/versions').set('Authorization', pipeline);
    const cases = [
      [await test.http().get('/api/v1/no-such-route'), 404],
      [await post().set('Content-Type', 'application/json').send('{"version": '), 400],
      [await post().set('Content-Type', 'application/xml').send('<a/>'), 415],
      [await post().send({ padding: 'x'.repeat(4096) }), 413],
      [await test.http().get(`/api/v1/ledger/events?after=${'9'.repeat(9000)}`), 414],
      [await test.http().get('/api/v1/ledger/events').set('X-Padding', 'x'.repeat(20_000)), 431],
    ] as const;
    for (const [answer, status] of cases) {
      expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({
        status,
        type: expect.stringMatching(PROBLEM),
      });
      expect(JSON.parse(answer.text)).toMatchObject({
        status,
        code: expect.any(String),
        title: expect.not.stringMatching(/^Error$/),
      });
    }
  });

  it('shows readiness details only to admins', async () => {
    const anonymous = await test.anonymous().get('/api/v1/health/ready').expect(200);
    expect(anonymous.body).toEqual({ status: 'ok' });
    const scientist = await test.token('dana', ['data-scientist']);
    const notAdmin = await test
      .anonymous()
      .get('/api/v1/health/ready')
      .set('Authorization', `Bearer ${scientist}`)
      .expect(200);
    expect(notAdmin.body).toEqual({ status: 'ok' });
    const admin = await test.http().get('/api/v1/health/ready').expect(200);
    expect(admin.body).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up' }, projections: { status: 'up' } },
    });
  });
});

describe('rate limits', () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await startTestApp({
      env: {
        RATE_LIMIT_PER_MINUTE: '5',
        RATE_LIMIT_SCORING_PER_MINUTE: '8',
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '10',
        // No proxy in front: an X-Forwarded-For the client makes up names no other address.
        TRUST_PROXY: 'false',
      },
    });
  });
  afterAll(() => test.close());

  it('limits each caller by the subject of its verified token, with 429 problem+json and Retry-After', async () => {
    const alice = `Bearer ${await test.token('alice', ['admin'])}`;
    const bob = `Bearer ${await test.token('bob', ['admin'])}`;
    const read = (token: string) =>
      test.anonymous().get('/api/v1/ledger/streams').set('Authorization', token);
    for (let i = 0; i < 5; i++) await read(alice).expect(200);
    const limited = await read(alice).expect(429);
    expect(limited.headers['content-type']).toMatch(PROBLEM);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, code: 'too-many-requests' });
    // Another caller from the same address has a quota of its own.
    await read(bob).expect(200);
  });

  it('limits a console session by its person, not by the address it shares (README, "Console")', async () => {
    const session = async (sub: string) =>
      `attest_session=${await test.token(sub, ['compliance-officer'])}`;
    const [carol, cleo] = [await session('carol-console'), await session('cleo-console')];
    const page = (cookie: string) => test.anonymous().get('/console').set('Cookie', cookie);
    for (let i = 0; i < 5; i++) await page(carol).expect(200);
    expect((await page(carol)).status).toBe(429);
    // Another person signed in from the same address has a quota of their own.
    await page(cleo).expect(200);
  });

  it('refuses an address sending bad tokens after a few, even when they arrive at once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        test
          .anonymous()
          .get('/api/v1/ledger/streams')
          .set('Authorization', `Bearer forged.${i}`)
          .set('X-Forwarded-For', `203.0.113.${i % 250}`),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(290);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused?.headers['content-type']).toMatch(PROBLEM);
    // For the rest of the minute the address is refused without a token that verifies…
    const streams = () => test.anonymous().get('/api/v1/ledger/streams');
    await streams().set('Authorization', 'Bearer forged.again').expect(429);
    await streams().expect(429);
    // …but a caller behind the same address (a NAT, a gateway) with a valid token is served.
    const carol = `Bearer ${await test.token('carol', ['admin'])}`;
    await streams().set('Authorization', carol).expect(200);
    // Probes and the scrape are never refused.
    await test.anonymous().get('/api/v1/health/live').expect(200);
    await test.anonymous().get('/metrics').expect(200);
  });

  it('gives a caller with the scoring role its own limit (RATE_LIMIT_SCORING_PER_MINUTE)', async () => {
    const lender = `Bearer ${await test.token('lender', ['scoring'])}`;
    const pipeline = `Bearer ${await test.token('ci-limited', ['pipeline'])}`;
    // Nothing is deployed: each answer is 404, and each counts.
    const ask = (token: string) =>
      test.anonymous().get('/v2/models/credit-risk.staging/ready').set('Authorization', token);
    for (let i = 0; i < 8; i++) await ask(lender).expect(404);
    expect((await ask(lender).expect(429)).body).toMatchObject({ code: 'too-many-requests' });
    for (let i = 0; i < 5; i++) await ask(pipeline).expect(404);
    await ask(pipeline).expect(429);
  });

  it('does not count probes or the metrics scrape against a caller’s quota', async () => {
    for (let i = 0; i < 8; i++) {
      await test.anonymous().get('/api/v1/health/live').expect(200);
      await test.anonymous().get('/api/v1/health/ready').expect(200);
      await test.anonymous().get('/metrics').expect(200);
    }
  });
});
