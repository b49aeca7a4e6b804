import { ROLES, type Role } from '../../src/auth/roles';
import { settled } from '../support/events';
import { sampleReadPaths, seedSampleHistory } from '../support/sample-history';
import { TestApp, startTestApp } from '../support/test-app';
import { type AppRoute, appRoutes } from '../support/app-routes';

/** Every route the application serves but the test probes and the console. */
function routesOf(test: TestApp) {
  // The console's routes answer HTML to a session cookie; tests/e2e/console-*.e2e-spec.ts check
  // that each console write has exactly the roles of the API route it stands for.
  return appRoutes(test.app).filter(
    (route) => !route.path.startsWith('/test-probe') && !route.path.startsWith('/console'),
  );
}

/** docs/design.md §7, for writes: who may call each command route, by path. */
const WRITERS: [RegExp, Role[]][] = [
  [/^\/models\/:name\/versions\/:version\/approval-requests$/, ['data-scientist']],
  [/^\/approvals\/:id\/decisions$/, ['risk-manager', 'compliance-officer']],
  [/^\/approvals\/:id\/withdrawal$/, ['data-scientist']],
  [/^\/deployments\/:id\/predict$/, ['scoring', 'pipeline']],
  [/^\/v2\/models\/:model\/infer$/, ['scoring', 'pipeline']],
  [/^\/deployments\/:id\/(prediction-batches|ground-truth)$/, ['pipeline', 'data-scientist']],
  // Ground truth joined to receipts: labels about people, from the pipeline only.
  [/^\/deployments\/:id\/outcomes$/, ['pipeline']],
  // A CSV scored by what the deployment serves (README, "Batch scoring"): as for predictions.
  [/^\/deployments\/:id\/batch-scoring$/, ['scoring', 'pipeline']],
  [/^\/deployments(\/|$)/, ['pipeline', 'risk-manager']],
  [
    /^\/models\/:name\/versions\/:version\/evaluation-runs$/,
    ['pipeline', 'data-scientist', 'risk-manager'],
  ],
  [/^\/datasets\/retention-sweeps$/, ['admin']],
  [/^\/models\/:name\/retraining-triggers$/, ['risk-manager', 'data-scientist']],
  [/^\/(datasets|training-runs|models)(\/|$)/, ['pipeline', 'data-scientist']],
  [/^\/(privacy|policies)\//, ['compliance-officer', 'admin']],
  [/^\/monitoring\/(drift|performance)$/, ['pipeline']],
  [/^\/alerts(\/|$)/, ['pipeline', 'risk-manager']],
  [/^\/ledger\/checkpoints$/, ['compliance-officer', 'admin']],
  [/^\/webhooks(\/|$)/, ['admin']],
];

/** Webhook subscriptions and their delivery log (README, "Webhooks"): configuration, admin only. */
const ADMIN_READS = /^\/webhooks(\/|$)/;

/**
 * The Open Inference Protocol's reads (README, "Serving"): what a scoring client asks before it
 * asks for decisions, for the scoring role and pipelines only, outside /api/v1.
 */
const SERVING_READS = /^\/v2\/models\//;
/** The path a route answers on: the OIP's and the public keys outside the API prefix. */
const served = (path: string) =>
  path.startsWith('/.well-known/') || path.startsWith('/v2/') ? path : `/api/v1${path}`;

describe('the role matrix on every route', () => {
  let test: TestApp;
  let routes: AppRoute[];

  beforeAll(async () => {
    test = await startTestApp();
    routes = routesOf(test);
  });
  afterAll(() => test.close());

  it('finds a route for every rule of the matrix, so no rule is stale', () => {
    const writes = routes.filter((route) => route.method !== 'GET');
    expect(writes.length).toBeGreaterThanOrEqual(WRITERS.length);
    for (const [pattern] of WRITERS) {
      expect({ rule: String(pattern), matched: writes.some((r) => pattern.test(r.path)) }).toEqual({
        rule: String(pattern),
        matched: true,
      });
    }
  });

  it('gives every write route exactly the roles of docs/design.md §7, and never the regulator', () => {
    for (const route of routes.filter((r) => r.method !== 'GET')) {
      const rule = WRITERS.find(([pattern]) => pattern.test(route.path));
      expect({ route: `${route.method} ${route.path}`, roles: [...route.roles].sort() }).toEqual({
        route: `${route.method} ${route.path}`,
        roles: rule ? [...rule[1]].sort() : ['(no rule for this route: add it to WRITERS)'],
      });
      expect(route.roles).not.toContain('regulator');
      expect(route.isPublic).toBe(false);
    }
  });

  it('gives the OIP reads to the scoring role and pipelines only', () => {
    const reads = routes.filter((r) => r.method === 'GET' && SERVING_READS.test(r.path));
    expect(reads.map((r) => r.path).sort()).toEqual([
      '/v2/models/:model',
      '/v2/models/:model/ready',
    ]);
    for (const route of reads) expect([...route.roles].sort()).toEqual(['pipeline', 'scoring']);
  });

  it('gives the webhook reads to admins only', () => {
    const reads = routes.filter((r) => r.method === 'GET' && ADMIN_READS.test(r.path));
    expect(reads.map((r) => r.path).sort()).toEqual(['/webhooks', '/webhooks/:id/deliveries']);
    for (const route of reads) expect([...route.roles]).toEqual(['admin']);
  });

  it('lets the regulator read every non-public read route', () => {
    for (const route of routes.filter(
      (r) =>
        r.method === 'GET' &&
        !r.isPublic &&
        !SERVING_READS.test(r.path) &&
        !ADMIN_READS.test(r.path),
    )) {
      expect({ route: route.path, regulator: route.roles.includes('regulator') }).toEqual({
        route: route.path,
        regulator: true,
      });
    }
  });

  it('answers a regulator 200 on every read route over a seeded history, and logs each read', async () => {
    const ids = await seedSampleHistory(test);
    const concrete = sampleReadPaths(ids);
    const regulator = `Bearer ${await test.token('rosa-regulator', ['regulator'])}`;
    const reads = routes.filter(
      (r) =>
        r.method === 'GET' &&
        !r.isPublic &&
        !SERVING_READS.test(r.path) &&
        !ADMIN_READS.test(r.path),
    );
    const asked: string[] = [];
    for (const route of reads) {
      const path = concrete[route.path] ?? (route.path.includes(':') ? undefined : route.path);
      expect({ route: route.path, seeded: path !== undefined }).toEqual({
        route: route.path,
        seeded: true,
      });
      const url = `/api/v1${path}`;
      const response = await test
        .anonymous()
        .get(url)
        .set('Authorization', regulator)
        .set('X-Ledger-Position', ids.position);
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
      asked.push(url);
    }
    const [newest] = await test.eventLog.readStream('access-log-rosa-regulator', {
      direction: 'backwards',
      maxCount: 1,
    });
    await settled(test.eventLog, newest.position);
    await test.runner.waitFor(newest.position, 10_000);
    const logged = await test
      .http()
      .get('/api/v1/compliance/access-log?actor=rosa-regulator&kind=regulator-request&limit=1000')
      .expect(200);
    const urls = (logged.body.items as { url: string; status: number }[]).map((i) => i.url);
    expect(urls).toEqual(asked);
  });

  it('answers a regulator 403 on every write route, before looking at the body', async () => {
    const regulator = `Bearer ${await test.token('rita', ['regulator'])}`;
    const before = await test.countEvents();
    for (const route of routes.filter((r) => r.method !== 'GET')) {
      const path = served(
        route.path
          .replace(/:name/g, 'credit-risk')
          .replace(/:model/g, 'credit-risk')
          .replace(/:version/g, '1.0.0')
          .replace(/:id/g, '0190f1a2-0000-7000-8000-000000000000'),
      );
      const client = test.anonymous();
      const call = client[route.method.toLowerCase() as 'post' | 'put' | 'patch' | 'delete'](path);
      const response = await call.set('Authorization', regulator).send({});
      expect({ route: `${route.method} ${path}`, status: response.status }).toEqual({
        route: `${route.method} ${path}`,
        status: 403,
      });
    }
    expect(await test.countEvents()).toBe(before);
  });

  it('documents every route in OpenAPI, and Idempotency-Key on every write', async () => {
    const document = (await test.http().get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    // Prometheus scrapes /metrics; it is not part of the API.
    for (const route of routes.filter((r) => r.path !== '/metrics')) {
      // Verifiers find the keys, and OIP clients the models, outside the API prefix.
      const path = served(route.path.replace(/:([A-Za-z]+)/g, '{$1}'));
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      expect({ route: `${route.method} ${path}`, documented: Boolean(operation) }).toEqual({
        route: `${route.method} ${path}`,
        documented: true,
      });
      // A DELETE is idempotent by itself (deleting again answers 204): no key to document.
      if (route.method !== 'GET' && route.method !== 'DELETE') {
        const headers = (operation?.parameters ?? []).filter((p) => p.in === 'header');
        expect({ route: `${route.method} ${path}`, headers: headers.map((h) => h.name) }).toEqual({
          route: `${route.method} ${path}`,
          headers: expect.arrayContaining(['Idempotency-Key']),
        });
      }
    }
  });

  it('knows every role it checks for', () => {
    for (const route of routes) for (const role of route.roles) expect(ROLES).toContain(role);
  });
});
