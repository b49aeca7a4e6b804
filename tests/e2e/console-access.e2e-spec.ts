import { ROLES, type Role } from '../../src/auth/roles';
import { consoleWriteOf } from '../../src/console/console-access';
import { apiRoles } from '../../src/console/console-context';
import { settled } from '../support/events';
import { sampleReadPaths, seedSampleHistory } from '../support/sample-history';
import { TestApp, startTestApp } from '../support/test-app';
import { appRoutes } from '../support/app-routes';

/** Every route, with a console page's roles (@ConsoleRoles) or else the API route's (@Allow). */
type Route = ReturnType<typeof routesOf>[number];

function routesOf(test: TestApp) {
  return appRoutes(test.app).map((route) => ({
    ...route,
    roles: route.consoleRoles ?? (route.roles.length > 0 ? route.roles : undefined),
  }));
}

/**
 * The console's routes outside its session guard (README, "Console"): its assets, and signing in
 * and out. Every other /console route must be behind the guard.
 */
const SESSION_ROUTES = [
  'GET /console/assets/:name',
  'GET /console/sign-in',
  'POST /console/sign-in',
  'POST /console/sign-out',
  'GET /console/callback',
  'GET /console/signed-out',
];
/** The session routes that change something: each checks the CSRF token itself. */
const SESSION_WRITES = ['POST /console/sign-in', 'POST /console/sign-out'];

const READING: Role[] = [
  'pipeline',
  'data-scientist',
  'risk-manager',
  'compliance-officer',
  'regulator',
  'admin',
];
const CSRF_REFUSAL = 'this form did not come from this console session';
const key = (route: Route) => `${route.method} ${route.path}`;
const verb = (route: Route) => route.method.toLowerCase() as 'post' | 'put' | 'patch' | 'delete';

/** A path with placeholders for its parameters: the guard answers before any is looked up. */
const placeholders = (path: string) =>
  path
    .replace(/:name|:model/g, 'credit-risk')
    .replace(/:version/g, '1.0.0')
    .replace(/:[A-Za-z]+/g, '0190f1a2-0000-7000-8000-000000000000');

/**
 * Who may do what on every console route (README, "Console"; docs/design.md §7): the routes are
 * enumerated from the controllers, so pages and writes added later are covered as they appear.
 */
describe('access to every console route', () => {
  let test: TestApp;
  let routes: Route[];
  let pages: Route[];
  let writes: Route[];
  /** This browser's CSRF secret (cookie) and a form token made from it, as the console hands out. */
  let csrf: { cookie: string; token: string };

  /** A request to the write `route`, its parameters filled with placeholders. */
  const send = (route: Route) => test.anonymous()[verb(route)](placeholders(route.path));
  const session = async (sub: string, roles: Role[]) =>
    `attest_session=${await test.token(sub, roles)}; ${csrf.cookie}`;

  beforeAll(async () => {
    test = await startTestApp();
    routes = routesOf(test).filter((r) => r.path.startsWith('/console'));
    pages = routes.filter((r) => r.guarded && r.method === 'GET');
    writes = routes.filter((r) => r.guarded && r.method !== 'GET');
    const signIn = await test.anonymous().get('/console/sign-in').expect(200);
    csrf = {
      cookie: String(
        ([] as string[])
          .concat(signIn.headers['set-cookie'] ?? [])
          .find((c) => c.startsWith('attest_csrf=')),
      ).split(';')[0],
      token: /name="_csrf" value="([^"]+)"/.exec(signIn.text)![1],
    };
  });
  afterAll(() => test.close());

  it('puts every console route behind the session guard, but for its assets and signing in and out', () => {
    expect(pages.length).toBeGreaterThan(0);
    for (const route of routes)
      expect({ route: key(route), guarded: route.guarded }).toEqual({
        route: key(route),
        guarded: !SESSION_ROUTES.includes(key(route)),
      });
    // Every console route is public to the bearer guard (the session guard stands in for it).
    for (const route of routes)
      expect({ route: key(route), public: route.isPublic }).toEqual({
        route: key(route),
        public: true,
      });
  });

  it('gives every console write @ConsoleWrite naming a live API write, and exactly its roles', () => {
    const api = routesOf(test).filter((r) => !r.path.startsWith('/console'));
    for (const route of writes) {
      const write = consoleWriteOf(route.handler);
      expect({ route: key(route), consoleWrite: Boolean(write) }).toEqual({
        route: key(route),
        consoleWrite: true,
      });
      const target = api.find(
        (r) =>
          r.controller === write!.controller &&
          r.handler === (write!.controller.prototype as Record<string, unknown>)[write!.method],
      );
      expect({
        route: key(route),
        names: target
          ? key(target)
          : `${write!.controller.name}.${write!.method} (not a served route)`,
      }).toEqual({
        route: key(route),
        names: expect.stringMatching(/^(POST|PUT|PATCH|DELETE) /),
      });
      expect(target!.isPublic).toBe(false);
      expect(target!.roles?.length).toBeGreaterThan(0);
      // What the session guard allows is what the API route allows.
      expect({
        route: key(route),
        roles: [...apiRoles(write!.controller, write!.method)].sort(),
      }).toEqual({
        route: key(route),
        roles: [...target!.roles!].sort(),
      });
    }
  });

  it('refuses every console write to each role outside its API route’s, with a valid session and CSRF token, appending nothing', async () => {
    const before = await test.countEvents();
    let asked = 0;
    for (const route of writes) {
      const write = consoleWriteOf(route.handler)!;
      const allowed = apiRoles(write.controller, write.method);
      for (const role of ROLES.filter((r) => !allowed.includes(r))) {
        const response = await send(route)
          .set('Cookie', await session(`outsider-${role}`, [role]))
          .type('form')
          .send({ _csrf: csrf.token });
        expect({ route: key(route), role, status: response.status }).toEqual({
          route: key(route),
          role,
          status: 403,
        });
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        expect(response.text).toContain('this needs one of the roles');
        asked += 1;
      }
    }
    // The regulator never writes: at least one refusal per write.
    expect(asked).toBeGreaterThanOrEqual(writes.length);
    expect(await test.countEvents()).toBe(before);
  });

  it('refuses every console POST without a CSRF token, even from a role it allows, appending nothing', async () => {
    const before = await test.countEvents();
    const posts = [...writes, ...routes.filter((r) => SESSION_WRITES.includes(key(r)))];
    expect(posts.length).toBeGreaterThanOrEqual(SESSION_WRITES.length);
    for (const route of posts) {
      const write = consoleWriteOf(route.handler);
      const roles = write ? [apiRoles(write.controller, write.method)[0]] : (['admin'] as Role[]);
      const cookie = await session('insider', roles);
      for (const body of [{}, { _csrf: 'forged' }]) {
        const response = await send(route)
          .set('Cookie', cookie)
          .type('form')
          .send({ ...body, name: 'eve', roles: 'admin' });
        expect({ route: key(route), body, status: response.status }).toEqual({
          route: key(route),
          body,
          status: 403,
        });
        expect(response.text).toContain(CSRF_REFUSAL);
      }
    }
    expect(await test.countEvents()).toBe(before);
  });

  it('sends every console page to the sign-in page (303) without a session', async () => {
    for (const route of pages) {
      const path = placeholders(route.path);
      const response = await test.anonymous().get(path);
      expect({
        route: key(route),
        status: response.status,
        location: response.headers.location,
      }).toEqual({
        route: key(route),
        status: 303,
        location: `/console/sign-in?next=${encodeURIComponent(path)}`,
      });
    }
  });

  it('answers a scoring-role session a 403 page on every console page', async () => {
    const cookie = await session('scorer-service', ['scoring']);
    for (const route of pages) {
      const roles = route.roles ?? READING;
      const response = await test.anonymous().get(placeholders(route.path)).set('Cookie', cookie);
      expect({ route: key(route), status: response.status }).toEqual({
        route: key(route),
        status: roles.includes('scoring') ? expect.any(Number) : 403,
      });
      expect(response.headers['content-type']).toMatch(/^text\/html/);
    }
  });

  it('records a regulator’s console page views in the access log exactly as their API reads', async () => {
    const ids = await seedSampleHistory(test);
    await test.runner.waitFor(ids.position as never, 10_000);
    const concrete = sampleReadPaths(ids);
    const regulator = 'rosa-console';
    const cookie = await session(regulator, ['regulator']);
    // One API read first: the console's records must look exactly like it.
    const asked: { url: string; status: number }[] = [];
    const apiRead = await test
      .anonymous()
      .get('/api/v1/models')
      .set('Authorization', `Bearer ${await test.token(regulator, ['regulator'])}`)
      .expect(200);
    asked.push({ url: '/api/v1/models', status: apiRead.status });
    for (const route of pages) {
      const seeded = concrete[route.path.replace(/^\/console/, '')];
      const path = route.path.includes(':')
        ? seeded
          ? `/console${seeded}`
          : placeholders(route.path)
        : route.path;
      const response = await test.anonymous().get(path).set('Cookie', cookie);
      const allowed = (route.roles ?? READING).includes('regulator');
      // A page may want a query this spec cannot know (a 400 naming it): refused it is not.
      expect({
        url: path,
        refused: response.status === 403,
        failed: response.status >= 500,
      }).toEqual({
        url: path,
        refused: !allowed,
        failed: false,
      });
      if (path === '/console') expect(response.status).toBe(200);
      asked.push({ url: path, status: response.status });
    }
    const [newest] = await test.eventLog.readStream(`access-log-${regulator}`, {
      direction: 'backwards',
      maxCount: 1,
    });
    await settled(test.eventLog, newest.position);
    expect(await test.runner.waitFor(newest.position, 10_000)).toBe(true);
    const logged = await test
      .http()
      .get(`/api/v1/compliance/access-log?actor=${regulator}&kind=regulator-request&limit=1000`)
      .expect(200);
    const items = logged.body.items as Record<string, unknown>[];
    expect(items.map((i) => ({ url: i.url, status: i.status }))).toEqual(asked);
    const shape = (item: Record<string, unknown>) => ({
      kind: item.kind,
      actorSub: item.actorSub,
      actorRoles: item.actorRoles,
      method: item.method,
      keys: Object.keys(item).sort(),
    });
    for (const item of items.slice(1)) expect(shape(item)).toEqual(shape(items[0]));
  });
});
