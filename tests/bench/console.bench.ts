/**
 * `npm run bench:console`: how long each console page takes to render over a ledger of about 100k
 * events (README, "Console speed"). Seeds a realistic history — the sample history (a little of
 * everything), then 40 models with three versions a month apart, each evaluated, approved and
 * deployed to production (half rolled back), a pending staging approval per version, deletion
 * requests and alerts, all through the HTTP API; then regulator access records and
 * prediction-batch summaries appended straight to the log — waits for every projection, signs a
 * console session in, and for every console page the controllers declare:
 *  - server render time: N sequential GETs with the session cookie (p50/p95/max), beside the
 *    corresponding API JSON read and GET /api/v1/health/live in the same run, with the ratio,
 *    and the number of SQL statements the page sent;
 *  - in Chromium (playwright-core, Debian's /usr/bin/chromium), the time to the load event.
 * Expected pages no controller declares yet, and pages answering 404, are listed as not built.
 * Prints figures, asserts nothing about time; the last line says whether every page's p95 is
 * under 1000 ms. PostgreSQL when DATABASE_URL is set (a scratch database), embedded PGlite
 * otherwise. BENCH_EVENTS, BENCH_SAMPLES, BENCH_BROWSER_LOADS and BENCH_MODELS scale it.
 */
import { randomBytes } from 'node:crypto';
import { type Browser, chromium } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import type { Role } from '../../src/auth/roles';
import { SESSION_COOKIE } from '../../src/console/console-access';
import type { NewEvent } from '../../src/ledger/event-log.port';
import { streams } from '../../src/ledger/stream-names';
import { CHROMIUM } from '../support/console-browser';
import {
  type ConsoleIds,
  EXPECTED_PAGES,
  concretePaths,
  isFormRoute,
  consoleRoutes,
  sampleConsoleIds,
  samePattern,
} from '../support/console-pages';
import { settled } from '../support/events';
import {
  QUERY_PROBE_HEADER,
  QueryCounterModule,
  newProbeId,
  statementsOf,
} from '../support/query-counter';
import { seedSampleHistory } from '../support/sample-history';
import { recordServiceRun } from '../support/service-evaluations';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { TestClock } from '../support/test-clock';
import { type TestApp, startTestApp } from '../support/test-app';
import { predictionBatchEvent } from './bench-support';

const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const URL_BUDGET_MS = Number(process.env.BENCH_URL_BUDGET_MS ?? 45_000);
const BROWSER_LOADS = Number(process.env.BENCH_BROWSER_LOADS ?? 5);
const MODELS = Number(process.env.BENCH_MODELS ?? 40);
const VERSIONS = 3;
const DELETION_REQUESTS = 300;
const ALERTS = 200;
/** Regulator reads recorded in the access log (a fifth of the target at most). */
const ACCESS_RECORDS = Math.min(20_000, Math.floor(TARGET_EVENTS / 5));
const REGULATORS = ['rita', 'rosa', 'ravi', 'rhea', 'rory'];
const TARGET_P95_MS = 1000;
const digest = () => `sha256:${randomBytes(32).toString('hex')}`;

/** The API read each page stands beside (the same query handlers answer both). */
const BASELINES: [string, string][] = [
  ['/console', '/api/v1/models'],
  ['/console/models/:name', '/api/v1/models/:name'],
  ['/console/models/:name/versions/:version', '/api/v1/models/:name/versions/:version'],
  ['/console/approvals', '/api/v1/approvals'],
  ['/console/deployments', '/api/v1/deployments'],
  ['/console/deployments/:id', '/api/v1/monitoring/deployments/:id'],
  ['/console/compliance', '/api/v1/compliance/adm-register'],
  ['/console/compliance/reports/:report', '/api/v1/compliance/reports/:report'],
  ['/console/compliance/deletion-requests', '/api/v1/privacy/deletion-requests'],
  ['/console/ledger', '/api/v1/ledger/events'],
  ['/console/verify', '/api/v1/ledger/checkpoints/latest'],
];

/** `pattern` with the values `url` gives `route`'s parameters, in order. */
function withParameters(pattern: string, route: string, url: string): string {
  const given = url.split('?')[0].split('/');
  const values = route
    .split('/')
    .flatMap((segment, i) => (segment.startsWith(':') ? [given[i]] : []));
  return pattern.replace(/:[A-Za-z0-9_]+/g, () => values.shift() ?? '');
}

interface Timing {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

function timing(latencies: number[]): Timing {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { n: sorted.length, p50: at(50), p95: at(95), max: sorted[sorted.length - 1] };
}

interface Seeded {
  model: string;
  versions: string[];
  approvals: string[];
  serving: string;
}

/** Governance through the API, one version a month per model, models side by side. */
async function seedGovernance(test: TestApp, time: TestClock): Promise<Seeded[]> {
  const tokens = new Map<string, string>();
  const people: [string, Role[]][] = [
    ['ci', ['pipeline']],
    ['dana', ['data-scientist']],
    ['rick', ['risk-manager']],
    ['carol', ['compliance-officer']],
  ];
  for (const [sub, roles] of people) tokens.set(sub, await test.token(sub, roles, '24h'));
  const send = async (who: string, path: string, body: object) => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', `Bearer ${tokens.get(who)}`)
      .send(body);
    if (response.status >= 300) {
      throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as { id: string; ledgerPosition: string };
  };
  const seeded: Seeded[] = Array.from({ length: MODELS }, (_, m) => ({
    model: `model-${m}`,
    versions: [],
    approvals: [],
    serving: '',
  }));
  const side = async <T>(items: T[], work: (item: T, i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = next++; i < items.length; i = next++) await work(items[i], i);
      }),
    );
  };
  for (let v = 1; v <= VERSIONS; v++) {
    await side(seeded, async (entry) => {
      const dataset = `${entry.model}-data`;
      const contentHash = digest();
      await send('ci', `/datasets/${dataset}/versions`, {
        version: `v${v}`,
        contentHash,
        rows: 100_000,
        schema: [
          {
            name: 'income',
            type: 'number',
            personal: true,
            sensitive: false,
            category: 'financial',
          },
          { name: 'term', type: 'number', personal: false, sensitive: false },
        ],
        location: `s3://lake/${dataset}/v${v}.parquet`,
        region: 'ap-southeast-2',
        lawfulBasis: 'consent',
        collectionNotice: 'notice-v1',
        retention: 'P7Y',
        ...(v > 1 ? { parents: [{ name: dataset, version: `v${v - 1}` }] } : {}),
      });
      const run = await send('ci', '/training-runs', {
        model: entry.model,
        datasetVersions: [{ name: dataset, version: `v${v}` }],
        code: { repository: 'git@example:models.git', commit: randomBytes(4).toString('hex') },
        algorithm: 'xgboost',
        hyperparameters: { depth: 6 },
      });
      await send('ci', `/training-runs/${run.id}/completion`, {
        metrics: { auc: 0.8 },
        validationApproach: 'holdout',
        artifact: {
          uri: `s3://models/${entry.model}/${v}.onnx`,
          digest: versionArtifact(`${entry.model}@${v}`).digest,
          format: 'onnx',
        },
      });
      const version = `${v}.0.0`;
      await send('dana', `/models/${entry.model}/versions`, {
        version,
        runId: run.id,
        riskTier: 'medium',
        decisionClass: 'substantially-assists',
        personalInformationKinds: ['financial'],
        decisions: 'approve or refer applications',
        intendedUse: 'benchmark',
        limitations: [],
        owner: 'owner',
      });
      // A version whose artifact was never stored cannot be deployed (README, "Serving").
      await storeVersionArtifact(test, `Bearer ${tokens.get('dana')}`, {
        model: entry.model,
        version,
        tag: `${entry.model}@${v}`,
      });
      await send('ci', `/models/${entry.model}/versions/${version}/evaluations`, {
        datasetVersion: { name: dataset, version: `v${v}` },
        metrics: { auc: 0.79 },
        fairness: [],
        verdict: 'pass',
      });
      // The approval policy asks a service-run evaluation of a medium-risk version (README,
      // "Approval on a passing evaluation"): recorded as the evaluation-run API records it.
      await recordServiceRun(test.eventLog, {
        model: entry.model,
        version,
        datasetVersion: { name: dataset, version: `v${v}`, contentHash },
        artifactDigest: versionArtifact(`${entry.model}@${v}`).digest,
        evaluatedAt: time.iso(),
      });
      const approval = await send(
        'dana',
        `/models/${entry.model}/versions/${version}/approval-requests`,
        { environment: 'production' },
      );
      await send('rick', `/approvals/${approval.id}/decisions`, { decision: 'grant' });
      await send('rick', '/deployments', {
        model: entry.model,
        version,
        environment: 'production',
        strategy: 'full',
        approvalId: approval.id,
      });
      // Left pending, with the staging evaluation the policy asks: a long approvals inbox.
      await recordServiceRun(test.eventLog, {
        model: entry.model,
        version,
        environment: 'staging',
        datasetVersion: { name: dataset, version: `v${v}`, contentHash },
        artifactDigest: versionArtifact(`${entry.model}@${v}`).digest,
        evaluatedAt: time.iso(),
      });
      const pending = await send(
        'dana',
        `/models/${entry.model}/versions/${version}/approval-requests`,
        { environment: 'staging' },
      );
      entry.versions.push(version);
      entry.approvals.push(approval.id, pending.id);
      entry.serving = version;
    });
    time.advanceDays(30);
  }
  for (const entry of seeded.slice(0, MODELS / 2)) {
    await send('rick', `/deployments/${entry.model}.production/rollback`, {
      reason: 'drift',
      automatic: true,
    });
    entry.serving = entry.versions[entry.versions.length - 2];
  }
  await side(
    Array.from({ length: DELETION_REQUESTS }, (_, i) => i),
    async (i) => {
      await send('carol', '/privacy/deletion-requests', {
        subjectId: `customer-${100_000 + i}`,
        receivedOn: time.iso().slice(0, 10),
      });
    },
  );
  await side(
    Array.from({ length: ALERTS }, (_, i) => i),
    async (i) => {
      await send('rick', '/alerts', {
        deploymentId: `${seeded[i % MODELS].model}.production`,
        severity: (['low', 'medium', 'high'] as const)[i % 3],
        kind: 'operational',
        summary: `latency spike ${i}`,
      });
    },
  );
  return seeded;
}

/** A regulator's read as the access log records it (src/access-log/access-log.recorder.ts). */
function regulatorAccessed(sub: string, i: number, at: Date): NewEvent {
  const id = uuidv7();
  return {
    id,
    type: 'RegulatorAccessed',
    data: {
      sub,
      roles: ['regulator'],
      method: 'GET',
      url: `/api/v1/models/model-${i % MODELS}`,
      status: 200,
      accessedAt: at.toISOString(),
    },
    metadata: {
      schemaVersion: 1,
      occurredAt: at.toISOString(),
      actor: { sub, roles: ['regulator'] },
      correlationId: id,
      causationId: id,
    },
  };
}

/** Appends `count` events made by `make(i)`, 16 at a time; the last position. */
async function appendMany(
  test: TestApp,
  count: number,
  make: (i: number) => { stream: string; event: NewEvent; fresh: boolean },
): Promise<string> {
  let next = 0;
  let last = '';
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const { stream, event, fresh } = make(i);
        const { position } = await test.eventLog.append(stream, [event], {
          expectedRevision: fresh ? 'no_stream' : 'any',
        });
        if (!last || test.eventLog.comparePositions(position, last) > 0) last = position;
      }
    }),
  );
  return last;
}

interface Row {
  label: string;
  url: string;
  status: number;
  page?: Timing;
  statements?: number;
  baseline?: { url: string; timing: Timing };
  browser?: Timing;
  note?: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  const time = new TestClock('2026-06-01T09:00:00.000Z');
  const test = await startTestApp({
    clock: time.clock,
    env: { DATABASE_POOL_SIZE: '16' },
    imports: [QueryCounterModule],
  });
  let browser: Browser | undefined;
  try {
    await test.app.listen(0, '127.0.0.1');
    const address = test.app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('the app is not listening');
    const baseUrl = `http://127.0.0.1:${address.port}`;

    // ---- Seeding ----
    const seeded = await seedGovernance(test, time);
    // The sample history (a little of everything: receipts, a batch job, an evaluation run…)
    // after the months above, when its November windows are in the past.
    time.set('2026-11-03T09:00:00.000Z');
    const sample = await seedSampleHistory(test);
    const governance = await test.countEvents();
    const accessEnd = Date.parse('2026-11-02T00:00:00Z');
    let lastPosition: string = await appendMany(test, ACCESS_RECORDS, (i) => {
      const sub = REGULATORS[i % REGULATORS.length];
      return {
        stream: streams.accessLog(sub),
        event: regulatorAccessed(sub, i, new Date(accessEnd - (ACCESS_RECORDS - i) * 60_000)),
        fresh: false,
      };
    });
    // Prediction-batch summaries, two hours apart per deployment from June to the end of
    // October, straight to the log.
    const batches = Math.max(0, TARGET_EVENTS - governance - ACCESS_RECORDS);
    const spacing = Math.min(
      2 * 3_600_000,
      Math.floor(
        (Date.parse('2026-10-31T00:00:00Z') - Date.parse('2026-06-02T00:00:00Z')) /
          Math.max(1, Math.ceil(batches / MODELS)),
      ),
    );
    const batchPosition = await appendMany(test, batches, (i) => {
      const entry = seeded[i % MODELS];
      const batchId = uuidv7();
      return {
        stream: streams.predictionBatch(batchId),
        event: predictionBatchEvent({
          batchId,
          deploymentId: `${entry.model}.production`,
          model: entry.model,
          version: entry.serving,
          environment: 'production',
          from: new Date(Date.parse('2026-06-02T00:00:00Z') + Math.floor(i / MODELS) * spacing),
          outputs: { approve: 55 + (i % 11), refer: 30, decline: 15 - (i % 11) },
        }),
        fresh: true,
      };
    });
    for (const position of [batchPosition, sample.position])
      if (position && (!lastPosition || test.eventLog.comparePositions(position, lastPosition) > 0))
        lastPosition = position;
    const total = governance + ACCESS_RECORDS + batches;
    console.log(
      `seeded ${total} events (${governance} governance events, ${ACCESS_RECORDS} access records, ${batches} prediction batches; ${MODELS} models × ${VERSIONS} versions, ${DELETION_REQUESTS} deletion requests, ${ALERTS} alerts) in ${((Date.now() - started) / 1000).toFixed(0)} s; projecting…`,
    );
    const projecting = Date.now();
    await settled(test.eventLog, lastPosition);
    if (!(await test.runner.waitFor(lastPosition, 30 * 60_000)))
      throw new Error('projections did not catch up');
    console.log(`every projection caught up in ${((Date.now() - projecting) / 1000).toFixed(0)} s`);

    // ---- Pages ----
    const big = seeded[3 % MODELS];
    const ids: ConsoleIds = {
      ...sampleConsoleIds(sample),
      model: big.model,
      version: big.versions[1] ?? big.versions[0],
      deployment: `${big.model}.production`,
      approvalId: big.approvals[big.approvals.length - 1],
    };
    const roles: Role[] = ['data-scientist', 'risk-manager', 'compliance-officer', 'admin'];
    const session = await test.token('quinn', roles, '24h');
    const apiToken = `Bearer ${await test.token('quinn', ['admin'], '24h')}`;
    const get = async (url: string, headers: Record<string, string>) => {
      const begin = process.hrtime.bigint();
      const response = await fetch(`${baseUrl}${url}`, { headers, redirect: 'manual' });
      await response.arrayBuffer();
      return {
        status: response.status,
        type: response.headers.get('content-type') ?? '',
        ms: Number(process.hrtime.bigint() - begin) / 1e6,
      };
    };
    /**
     * Warm-ups (3; 1 for a URL slower than 2 s), then SAMPLES sequential GETs, fewer (at least 5)
     * once a URL has taken BENCH_URL_BUDGET_MS: a page reading the whole ledger takes seconds.
     */
    const sampled = async (url: string, headers: Record<string, string>) => {
      const warm = (await get(url, headers)).ms;
      for (let i = 0; i < (warm > 2000 ? 0 : 2); i++) await get(url, headers);
      const latencies: number[] = [];
      const begin = Date.now();
      while (
        latencies.length < SAMPLES &&
        (latencies.length < 5 || Date.now() - begin < URL_BUDGET_MS)
      )
        latencies.push((await get(url, headers)).ms);
      return timing(latencies);
    };
    const cookie = { Cookie: `${SESSION_COOKIE}=${session}` };
    const bearer = { Authorization: apiToken };

    const routes = consoleRoutes(test.app);
    const notBuilt = EXPECTED_PAGES.filter((p) => !routes.some((r) => samePattern(r.path, p)));
    const midway = '2026-08-15T00:00:00.000Z';
    const rows: Row[] = [];
    const htmlPages: string[] = [];
    /** One URL: its statements, N timed GETs, and the API read beside it. */
    const measure = async (label: string, url: string, baseline?: string) => {
      const first = await get(url, cookie);
      const redirect = first.status === 303 && isFormRoute(label);
      if (first.status !== 200 && !redirect) {
        rows.push({
          label,
          url,
          status: first.status,
          note: first.status === 404 ? 'answers 404: not built yet' : `answers ${first.status}`,
        });
        return undefined;
      }
      const probe = newProbeId();
      await get(url, { ...cookie, [QUERY_PROBE_HEADER]: probe });
      const row: Row = {
        label,
        url,
        status: first.status,
        statements: statementsOf(probe)?.length,
        page: await sampled(url, cookie),
        note: redirect ? 'a GET form: answers 303 to the page' : undefined,
      };
      if (baseline) {
        const api = await get(baseline, bearer);
        if (api.status === 200)
          row.baseline = { url: baseline, timing: await sampled(baseline, bearer) };
        else row.note = `baseline ${baseline} answered ${api.status}`;
      }
      rows.push(row);
      const { p50, p95, max, n } = row.page as Timing;
      console.log(
        `  measured ${url}: p50 ${p50.toFixed(1)} p95 ${p95.toFixed(1)} max ${max.toFixed(1)} ms (n ${n}), ${row.statements} statements${row.baseline ? `; ${row.baseline.url} p50 ${row.baseline.timing.p50.toFixed(1)} ms` : ''}`,
      );
      return first.status === 200 && first.type.startsWith('text/html');
    };
    for (const route of routes) {
      let urls: string[];
      try {
        urls = concretePaths(route.path, ids);
      } catch (error) {
        rows.push({ label: route.path, url: route.path, status: 0, note: String(error) });
        continue;
      }
      const baselinePattern = BASELINES.find(([page]) => samePattern(page, route.path))?.[1];
      for (const url of urls) {
        const baseline = baselinePattern && withParameters(baselinePattern, route.path, url);
        const html = await measure(route.path, url, baseline);
        if (!html) continue;
        htmlPages.push(url);
        // Time travel to the middle of the history (HTML pages; downloads are what they are).
        await measure(
          `${route.path} ?asOf`,
          `${url}${url.includes('?') ? '&' : '?'}asOf=${encodeURIComponent(midway)}`,
        );
      }
    }
    const live = await sampled('/api/v1/health/live', {});

    // ---- Chromium: time to the load event ----
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    const context = await browser.newContext({ baseURL: baseUrl });
    await context.addCookies([
      {
        name: SESSION_COOKIE,
        value: session,
        domain: '127.0.0.1',
        path: '/console',
        httpOnly: true,
        sameSite: 'Strict',
      },
    ]);
    const tab = await context.newPage();
    for (const url of htmlPages) {
      const row = rows.find((r) => r.url === url);
      const loads: number[] = [];
      const begin = Date.now();
      try {
        // The first load fetches the stylesheet and scripts; a slow page gets fewer loads.
        for (let i = 0; i <= BROWSER_LOADS && (i < 2 || Date.now() - begin < URL_BUDGET_MS); i++) {
          await tab.goto(url, { waitUntil: 'load', timeout: 180_000 });
          const loaded = await tab.evaluate<number>(
            '(() => { const n = performance.getEntriesByType("navigation")[0]; return n.loadEventEnd - n.startTime; })()',
          );
          if (i > 0) loads.push(loaded);
        }
      } catch (error) {
        if (row) row.note = `Chromium: ${(error as Error).message.split('\n')[0]}`;
      }
      if (row && loads.length > 0) row.browser = timing(loads);
    }

    // ---- Report ----
    const ms = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(1));
    const measured = rows.filter((r) => r.page);
    console.log(
      `\nconsole pages over ${total} events: up to ${SAMPLES} sequential GETs each after warm-ups (n, when fewer: the ${URL_BUDGET_MS / 1000} s budget of a URL ran out) (ms); SQL = statements the page sent; baseline = the API read beside it; ratio = page p50 / baseline p50; load = Chromium navigation start to load event end over ${BROWSER_LOADS} loads`,
    );
    console.log(
      `${'page'.padEnd(66)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'max'.padStart(8)}${'n'.padStart(4)}${'SQL'.padStart(5)}  ${'baseline'.padEnd(52)}${'p50'.padStart(7)}${'p95'.padStart(7)}${'ratio'.padStart(7)}${'load p50'.padStart(10)}${'load max'.padStart(10)}`,
    );
    for (const row of rows) {
      const shown = row.url.replace(/([?&])asOf=[^&]*/, '$1asOf=…');
      if (!row.page) {
        console.log(`${shown.padEnd(66)}  ${row.note}`);
        continue;
      }
      const b = row.baseline?.timing;
      console.log(
        `${shown.padEnd(66)}${ms(row.page.p50).padStart(8)}${ms(row.page.p95).padStart(8)}${ms(row.page.max).padStart(8)}${(row.page.n < SAMPLES ? String(row.page.n) : '').padStart(4)}${String(row.statements ?? '?').padStart(5)}  ${(row.baseline?.url ?? '').padEnd(52)}${ms(b?.p50).padStart(7)}${ms(b?.p95).padStart(7)}${(b ? `${(row.page.p50 / b.p50).toFixed(1)}×` : '').padStart(7)}${ms(row.browser?.p50).padStart(10)}${ms(row.browser?.max).padStart(10)}${row.note ? `  ${row.note}` : ''}`,
      );
    }
    console.log(
      `${'GET /api/v1/health/live (floor)'.padEnd(66)}${ms(live.p50).padStart(8)}${ms(live.p95).padStart(8)}${ms(live.max).padStart(8)}`,
    );
    for (const page of notBuilt)
      console.log(`${page.padEnd(66)}  not built yet (no controller declares it)`);
    const slow = measured.filter((r) => (r.page as Timing).p95 >= TARGET_P95_MS);
    const unmeasured = rows.filter((r) => !r.page).length + notBuilt.length;
    console.log(
      `\n${slow.length === 0 && measured.length > 0 ? 'PASS' : 'FAIL'}: ${measured.length - slow.length} of ${measured.length} measured console pages render with p95 < ${TARGET_P95_MS} ms${slow.length ? ` (over: ${slow.map((r) => r.label).join(', ')})` : ''}${unmeasured ? `; ${unmeasured} not measured (listed above)` : ''}`,
    );
  } finally {
    await browser?.close();
    await test.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
