import { DataSource } from 'typeorm';
import type { Role } from '../../src/auth/roles';
import { SESSION_COOKIE } from '../../src/console/console-access';
import {
  EXPECTED_PAGES,
  concretePaths,
  isFormRoute,
  consoleRoutes,
  sampleConsoleIds,
  samePattern,
  type ConsoleIds,
  type ConsoleRoute,
} from '../support/console-pages';
import { settled } from '../support/events';
import {
  QUERY_PROBE_HEADER,
  QueryCounterModule,
  newProbeId,
  statementsOf,
} from '../support/query-counter';
import { seedSampleHistory } from '../support/sample-history';
import { type TestApp, startTestApp } from '../support/test-app';

/**
 * No console page makes a query per row (README, "Console"): the SQL statements the service
 * sends while rendering each console page are counted over a small sample history, then over
 * one with six times the models, deployments, prediction batches, alerts and deletion requests
 * (and more batches and alerts on the very deployment the detail pages show); the counts must be
 * equal. Every GET route the console's controllers declare is covered, with ids from the seeded
 * history; a route this spec cannot give concrete parameters fails it.
 */

/**
 * Pages allowed a fixed number of statements more over the larger history, e.g. one that reads
 * a second page of a paged list. None so far; a page added here needs its reason beside it.
 */
const CONSTANT_DIFFERENCE: Record<string, number> = {};

/**
 * Pages that verify the whole ledger (README, "Console": the verification the API's GET
 * /ledger/verify makes): they read every event, a page of this many at a time, so they may send
 * one statement more per page of events the larger history added, and no more.
 */
const WHOLE_LEDGER_READS: Record<string, number> = { '/console/ledger/verification': 500 };

/** Every role that may write somewhere, so each page renders all its write controls too. */
const ROLES: Role[] = ['data-scientist', 'risk-manager', 'compliance-officer', 'admin'];
const MORE_TAGS = ['-b', '-c', '-d', '-e', '-f'];

interface Count {
  url: string;
  route: string;
  status: number;
  html: boolean;
  location?: string;
  statements: string[];
}

describe('console pages: a fixed number of SQL statements, not one per row', () => {
  let test: TestApp;
  let cookie: string;
  let routes: ConsoleRoute[];
  let ids: ConsoleIds;
  /** When the small history was complete. */
  let then: string;
  const small = new Map<string, Count>();
  const large = new Map<string, Count>();
  const events: number[] = [];

  beforeAll(async () => {
    test = await startTestApp({ imports: [QueryCounterModule] });
    cookie = `${SESSION_COOKIE}=${await test.token('quinn', ROLES, '2h')}`;
    routes = consoleRoutes(test.app);
  });
  afterAll(() => test?.close());

  /** One GET with the session cookie, its statements counted (after an uncounted warm-up). */
  async function count(route: string, url: string): Promise<Count> {
    await test.anonymous().get(url).set('Cookie', cookie);
    const probe = newProbeId();
    const response = await test
      .anonymous()
      .get(url)
      .set('Cookie', cookie)
      .set(QUERY_PROBE_HEADER, probe);
    const statements = statementsOf(probe);
    if (!statements) throw new Error(`the query probe never saw ${url}`);
    return {
      url,
      route,
      status: response.status,
      html: String(response.headers['content-type']).startsWith('text/html'),
      location: response.headers.location as string | undefined,
      statements,
    };
  }

  /**
   * Every route's concrete URLs, and each HTML page's again time travelling (downloads are what
   * they are): to now, and to `then`, the instant the small history was complete — over the
   * larger history that view shows the same rows, so a page that scans what came after it shows.
   * Keys leave out the instant, which differs between rounds.
   */
  async function measure(into: Map<string, Count>, then: string): Promise<void> {
    const now = new Date().toISOString();
    for (const route of routes) {
      // A parameter this spec has no seeded value for throws here, failing the test.
      for (const url of concretePaths(route.path, ids)) {
        const plain = await count(route.path, url);
        into.set(url, plain);
        if (plain.status !== 200 || !plain.html) continue;
        for (const [name, instant] of [
          ['now', now],
          ['then', then],
        ]) {
          const travelled = `${url}${url.includes('?') ? '&' : '?'}asOf=${encodeURIComponent(instant)}`;
          into.set(`${url} (asOf ${name})`, await count(route.path, travelled));
        }
      }
    }
    events.push(await allEvents());
  }

  /**
   * Every event in the ledger, access records included (a whole-ledger read reads them too);
   * on the EventStoreDB emulator, ledger_events is empty and the governance events are counted.
   */
  async function allEvents(): Promise<number> {
    const [{ n }] = (await test.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM ledger_events')) as { n: number }[];
    return Math.max(n, await test.countEvents());
  }

  /** A page, or a GET form's redirect to a console page (not to the sign-in page). */
  function rendered({ url, status, location }: Count) {
    const redirect =
      status === 303 &&
      typeof location === 'string' &&
      location.startsWith('/console/') &&
      !location.startsWith('/console/sign-in');
    return { url, status: redirect ? 'redirected' : status };
  }

  async function caughtUp(position: string): Promise<void> {
    await settled(test.eventLog, position);
    expect(await test.runner.waitFor(position, 30_000)).toBe(true);
  }

  it('finds the console pages in the controllers, and reports those not built yet', () => {
    expect(routes.map((r) => r.path)).toContain('/console');
    const missing = EXPECTED_PAGES.filter((page) => !routes.some((r) => samePattern(r.path, page)));
    const extra = routes.filter((r) => !EXPECTED_PAGES.some((page) => samePattern(r.path, page)));
    console.log(
      [
        `console GET routes declared: ${routes.length}`,
        ...routes.map((r) => `  ${r.path}  (${r.controller}.${r.handler})`),
        `expected pages NOT BUILT yet (not measured, not passed): ${missing.length ? '' : 'none'}`,
        ...missing.map((p) => `  ${p}`),
        `other console GET routes covered too: ${extra.map((r) => r.path).join(', ') || 'none'}`,
      ].join('\n'),
    );
  });

  it('proves the counter counts: an API list read issues at least one statement', async () => {
    const token = await test.token('quinn', ['admin']);
    const probe = newProbeId();
    await test
      .anonymous()
      .get('/api/v1/models')
      .set('Authorization', `Bearer ${token}`)
      .set(QUERY_PROBE_HEADER, probe)
      .expect(200);
    expect(statementsOf(probe)?.length).toBeGreaterThan(0);
  });

  it('renders every console page over a small history, each with a concrete URL', async () => {
    const seeded = await seedSampleHistory(test);
    await caughtUp(seeded.position);
    ids = sampleConsoleIds(seeded);
    then = new Date().toISOString();
    // A route with a parameter this spec has no seeded value for throws here, failing the test.
    await measure(small, then);
    for (const count of small.values())
      expect(rendered(count)).toEqual({
        url: count.url,
        status: isFormRoute(count.route) ? 'redirected' : 200,
      });
  }, 300_000);

  it('issues as many statements per page over six times the rows', async () => {
    expect(small.size).toBeGreaterThan(0);
    let position = '';
    for (const tag of MORE_TAGS) position = (await seedSampleHistory(test, tag)).position;
    position = await growDeployment(test, ids.deployment, ids.version, 10);
    await caughtUp(position);
    await measure(large, then);

    const added = events[1] - events[0];
    const rows = [...small.entries()].map(([key, before]) => ({
      key,
      before,
      after: large.get(key),
    }));
    console.log(
      [
        `${'console page (statements)'.padEnd(72)}${'small'.padStart(7)}${'large'.padStart(7)}`,
        ...rows.map(
          (r) =>
            `${r.key.padEnd(72)}${String(r.before.statements.length).padStart(7)}${String(r.after?.statements.length).padStart(7)}`,
        ),
      ].join('\n'),
    );
    const grown = [];
    for (const { key, before, after } of rows) {
      expect({ key, ...(after && rendered(after)), url: undefined }).toEqual({
        key,
        ...rendered(before),
        url: undefined,
      });
      const pattern = Object.keys(CONSTANT_DIFFERENCE).find((p) => key.startsWith(p));
      const pageOfEvents = WHOLE_LEDGER_READS[before.route];
      const allowed = pattern
        ? CONSTANT_DIFFERENCE[pattern]
        : pageOfEvents
          ? Math.ceil(added / pageOfEvents)
          : 0;
      const statements = after?.statements ?? [];
      const fits = pageOfEvents
        ? statements.length <= before.statements.length + allowed
        : statements.length === before.statements.length + allowed;
      if (!fits) {
        // The statements sent more often over the larger history: the query per row.
        grown.push({
          key,
          small: before.statements.length,
          large: statements.length,
          allowed,
          repeated: moreOften(before.statements, statements),
        });
      }
    }
    expect(grown).toEqual([]);
  }, 600_000);
});

/** Statements (shortened) sent more times in `after` than in `before`, with how many more. */
function moreOften(before: string[], after: string[]): string[] {
  const tally = (list: string[]) => {
    const counts = new Map<string, number>();
    for (const sql of list) counts.set(sql, (counts.get(sql) ?? 0) + 1);
    return counts;
  };
  const was = tally(before);
  return [...tally(after)]
    .filter(([sql, n]) => n > (was.get(sql) ?? 0))
    .map(([sql, n]) => `+${n - (was.get(sql) ?? 0)} × ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
}

/**
 * More rows on the deployment the detail pages show: `batches` more prediction batches, each
 * with its ground truth, and as many alerts.
 */
async function growDeployment(
  test: TestApp,
  deployment: string,
  version: string,
  batches: number,
): Promise<string> {
  const ci = `Bearer ${await test.token('ci', ['pipeline'])}`;
  const rick = `Bearer ${await test.token('rick', ['risk-manager'])}`;
  let position = '';
  const post = async (token: string, path: string, body: object) => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', token)
      .send(body);
    if (response.status !== 201)
      throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    position = response.body.ledgerPosition as string;
    return response.body as { id: string };
  };
  for (let i = 0; i < batches; i++) {
    const from = new Date(Date.parse('2026-11-02T00:00:00.000Z') + i * 3_600_000).toISOString();
    const to = new Date(Date.parse(from) + 3_600_000).toISOString();
    const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
    const batch = await post(ci, `/deployments/${deployment}/prediction-batches`, {
      version,
      count: 10,
      window: { from, to },
      inputDigest: digest,
      outputDistribution: { approve: 7, refer: 3 },
      featureSummaries: [],
      latencyMs: { p50: 1, p95: 2, p99: 3 },
      decisions: { automated: 7, referred: 3 },
    });
    await post(ci, `/deployments/${deployment}/ground-truth`, {
      version,
      batchIds: [batch.id],
      window: { from, to },
      count: 10,
      labelsDigest: digest,
      metrics: { auc: 0.7 + i / 100 },
    });
    await post(rick, '/alerts', {
      deploymentId: deployment,
      severity: 'low',
      kind: 'operational',
      summary: `latency spike ${i}`,
    });
  }
  return position;
}
