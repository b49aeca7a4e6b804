/**
 * `npm run bench:projections`: the read side against the ledger's own read speed (issue 16's
 * target: a rebuild and a live catch-up each at ≥ 0.3× the raw read).
 *
 * Seeds a ledger of BENCH_EVENTS events (default 100,000) through the store's own append path:
 * a governance history through the HTTP API (datasets, training runs, model versions,
 * evaluations, approvals, deployments, rollbacks), then prediction-batch summaries and
 * regulators' access records appended straight to the log. Then, in the same run:
 *   (a) a raw keyset read of the whole ledger in ledger order (EventLog.readAll in pages, JSON
 *       parsed by the adapter): events/s;
 *   (b) a rebuild of every projection at once (ProjectionRunner.rebuild, as `npm run
 *       projections:rebuild` runs it: one reader feeding them all): time, events/s, the SQL
 *       statements it sent (pg's Client and Pool wrapped) in all and inside each projection's
 *       page handler, and how often it read the ledger (subscriptions, page reads);
 *   (c) a live catch-up: every projection's tables and checkpoint emptied, the app closed, a new
 *       one started over the same database, timed until every projection has caught up.
 * No assertions on time. PostgreSQL when DATABASE_URL is set (a scratch database), embedded
 * PGlite (persisted in a temporary DATA_DIR, so a second app can open it) otherwise.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { LedgerPosition, NewEvent } from '../../src/ledger/event-log.port';
import type { Projection } from '../../src/ledger/projections/projection';
import { streams } from '../../src/ledger/stream-names';
import { settled } from '../support/events';
import { startTestApp, type TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { connectToServer } from '../../src/ledger/database/database-handle';
import { createTestDatabase, withClient, type TestDatabase } from '../support/test-database';
import { predictionBatchEvent } from './bench-support';
import { regulatorAccessed, seedGovernance } from './governance-seed';

const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PAGE = Number(process.env.BENCH_PAGE ?? 1000);
const MODELS = 10;
/** One regulator's read in this many bulk events (the access log's records). */
const ACCESS_EVERY = 20;

// ---- SQL statement counter (as tests/support/query-counter.ts wraps pg, without its probe) ----

let counting = false;
let statements = 0;
/** Statements sent inside each projection's page handler (its name is the context). */
const inProjection = new AsyncLocalStorage<string>();
const perProjection = new Map<string, number>();
/** Seconds spent inside each projection's page handler (pages run side by side, so they overlap). */
const handlerSeconds = new Map<string, number>();
/** Statements that read the ledger's events (the reader's pages). */
let ledgerReads = 0;
const LEDGER_READ = /^\s*(WITH|SELECT)[\s\S]*\bledger_events\b/i;

function note(query: unknown): void {
  statements++;
  const text = typeof query === 'string' ? query : String((query as { text?: unknown })?.text);
  if (LEDGER_READ.test(text)) ledgerReads++;
  const projection = inProjection.getStore();
  if (projection) perProjection.set(projection, (perProjection.get(projection) ?? 0) + 1);
}

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;

function countStatements(): void {
  const clientQuery = Client.prototype.query as unknown as QueryFn;
  (Client.prototype as unknown as { query: QueryFn }).query = function (...args: unknown[]) {
    // pg-pool's own query calls a client's: counted once, at the pool.
    if (counting && !/[/\\]pg-pool[/\\]index\.js/.test(new Error().stack ?? '')) note(args[0]);
    return clientQuery.apply(this, args);
  };
  const poolQuery = Pool.prototype.query as unknown as QueryFn;
  (Pool.prototype as unknown as { query: QueryFn }).query = function (...args: unknown[]) {
    if (counting) note(args[0]);
    return poolQuery.apply(this, args);
  };
}

async function counted<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
  statements = 0;
  ledgerReads = 0;
  perProjection.clear();
  handlerSeconds.clear();
  counting = true;
  try {
    const result = await work();
    return { result, statements };
  } finally {
    counting = false;
  }
}

// ---- seeding ----

/** Prediction batches (and every ACCESS_EVERY-th a regulator's read), 16 appends at a time. */
async function seedBulk(
  test: TestApp,
  serving: Map<string, string>,
  count: number,
): Promise<LedgerPosition> {
  let next = 0;
  let last = '';
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const model = `model-${i % MODELS}`;
        const from = new Date(
          Date.parse('2026-01-06T00:00:00Z') + Math.floor(i / MODELS) * 600_000,
        );
        let stream: string;
        let event: NewEvent;
        let fresh = true;
        if (i % ACCESS_EVERY === ACCESS_EVERY - 1) {
          stream = streams.accessLog('rita');
          event = regulatorAccessed('rita', i, from);
          fresh = false;
        } else {
          const batchId = uuidv7();
          stream = streams.predictionBatch(batchId);
          event = predictionBatchEvent({
            batchId,
            deploymentId: `${model}.production`,
            model,
            version: serving.get(model) as string,
            environment: 'production',
            from,
          });
        }
        const { position } = await test.eventLog.append(stream, [event], {
          expectedRevision: fresh ? 'no_stream' : 'any',
        });
        if (!last || test.eventLog.comparePositions(position, last) > 0) last = position;
      }
    }),
  );
  return last;
}

// ---- measuring ----

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** CPU seconds used so far by this process, and by PostgreSQL's server processes when /proc shows them. */
function cpuNow(): { node: number; postgres: number | undefined } {
  const usage = process.cpuUsage();
  return { node: (usage.user + usage.system) / 1e6, postgres: postgresCpu() };
}

function postgresCpu(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / tick; // utime, stime
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

function cpuSince(before: ReturnType<typeof cpuNow>): string {
  const after = cpuNow();
  const node = (after.node - before.node).toFixed(1);
  if (before.postgres === undefined || after.postgres === undefined)
    return `this process ${node} s`;
  return `this process ${node} s, PostgreSQL server ${(after.postgres - before.postgres).toFixed(1)} s`;
}

async function rawRead(test: TestApp): Promise<{ events: number; seconds: number }> {
  const begin = process.hrtime.bigint();
  let from: LedgerPosition | undefined;
  let events = 0;
  for (;;) {
    const page = await test.eventLog.readAll({ from, maxCount: PAGE });
    if (page.length === 0) break;
    events += page.length;
    from = page[page.length - 1].position;
  }
  return { events, seconds: seconds(begin) };
}

/** Runs each projection's page handler in a context named after it, so its statements are counted apart. */
function attribute(projections: readonly Projection[]): void {
  for (const projection of projections) {
    const target = projection as Projection & Record<string, unknown>;
    const original = projection.applyPage as (...args: unknown[]) => Promise<void>;
    target.applyPage = async (...args: unknown[]) => {
      const begin = process.hrtime.bigint();
      try {
        return await inProjection.run(projection.name, () => original.apply(projection, args));
      } finally {
        handlerSeconds.set(
          projection.name,
          (handlerSeconds.get(projection.name) ?? 0) + seconds(begin),
        );
      }
    };
  }
}

/** A database of this name on the server at `base`, created when missing and kept after the run. */
async function keptTestDatabase(base: string, name: string): Promise<TestDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name))
    throw new Error(`BENCH_DATABASE: ${name} is not a plain lower-case name`);
  await withClient(base, async (admin) => {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = connectToServer(url.toString());
  return { ...handle, env: { DATABASE_URL: url.toString() } };
}

/** Whether a kept database already holds a seeded ledger. */
async function seeded(database: TestDatabase): Promise<boolean> {
  const url = database.env.DATABASE_URL;
  return withClient(url, async (client) => {
    const table = await client.query("SELECT to_regclass('ledger_events') AS t");
    if (!table.rows[0].t) return false;
    const count = await client.query('SELECT count(*)::int AS n FROM ledger_events');
    return (count.rows[0].n as number) >= TARGET_EVENTS;
  });
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function main(): Promise<void> {
  const loadAtStart = load();
  const started = Date.now();
  // BENCH_DATA_DIR: an embedded store kept between runs (seeded by the first, reused after).
  const kept = process.env.DATABASE_URL ? undefined : process.env.BENCH_DATA_DIR;
  // BENCH_DATABASE: the same on PostgreSQL, a database of that name kept on DATABASE_URL's server.
  const keptDatabase = process.env.DATABASE_URL ? process.env.BENCH_DATABASE : undefined;
  const database: TestDatabase | undefined = !process.env.DATABASE_URL
    ? undefined
    : keptDatabase
      ? await keptTestDatabase(process.env.DATABASE_URL, keptDatabase)
      : await createTestDatabase('postgres');
  const reuse =
    (kept !== undefined && existsSync(join(kept, 'pglite', 'PG_VERSION'))) ||
    (database !== undefined && keptDatabase !== undefined && (await seeded(database)));
  const dataDir = process.env.DATABASE_URL
    ? undefined
    : (kept ?? (await mkdtemp(join(tmpdir(), 'attest-bench-projections-'))));
  const kind = database ? 'postgres' : 'embedded';
  const env = { DATABASE_POOL_SIZE: '16', ...(dataDir ? { DATA_DIR: dataDir } : {}) };
  countStatements();
  let test: TestApp | undefined;
  try {
    const time = new TestClock('2026-01-05T09:00:00.000Z');
    test = await startTestApp({
      kind,
      database,
      clock: time.clock,
      env,
      startProjections: !reuse,
    });
    const serving = reuse ? new Map<string, string>() : await seedGovernance(test, time);
    const governance = await test.countEvents();
    // The bulk goes in with the projections stopped: (b) and (c) replay it all anyway.
    await test.runner.stop();
    const bulkStarted = process.hrtime.bigint();
    if (!reuse) {
      const last = await seedBulk(test, serving, Math.max(0, TARGET_EVENTS - governance));
      await settled(test.eventLog, last);
    }
    const bulkSeconds = seconds(bulkStarted);
    const raw0 = await rawRead(test); // also warms the cache the way (b) will find it
    const total = raw0.events;
    console.log(
      reuse
        ? `${kind}: reusing the ledger of ${total} events a previous run seeded`
        : `${kind}: seeded ${total} events (${governance} through the API; bulk ${(total - governance) / bulkSeconds > 0 ? ((total - governance) / bulkSeconds).toFixed(0) : '-'} appends/s) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );

    // (a) raw keyset read, in ledger order, pages of PAGE.
    const raw = await rawRead(test);
    const rawRate = raw.events / raw.seconds;
    console.log(`(a) raw read: ${raw.events} events in ${raw.seconds.toFixed(2)} s`);

    // (b) a rebuild of every projection at once, as projections:rebuild runs it.
    const runner = test.runner;
    attribute(runner.projections());
    const subscribe = test.eventLog.subscribe.bind(test.eventLog);
    let subscriptions = 0;
    test.eventLog.subscribe = (options) => {
      subscriptions++;
      return subscribe(options);
    };
    const rebuildCpu = cpuNow();
    const rebuildStarted = process.hrtime.bigint();
    const rebuildCount = await counted(() => runner.rebuild());
    const rebuildSeconds = seconds(rebuildStarted);
    const rebuildCpuUsed = cpuSince(rebuildCpu);
    const rebuildReads = ledgerReads;
    const rebuilt = rebuildCount.result.map((result) => ({
      name: result.name,
      applied: result.eventsApplied,
      statements: perProjection.get(result.name) ?? 0,
      seconds: handlerSeconds.get(result.name) ?? 0,
    }));
    test.eventLog.subscribe = subscribe;

    // (c) live catch-up: every projection emptied, a new app over the same database.
    const tables = runner.projections().flatMap((projection) => projection.tables);
    const dataSource = test.app.get(DataSource);
    await dataSource.transaction(async (manager) => {
      if (tables.length > 0) await manager.query(`TRUNCATE ${tables.map(quoteIdent).join(', ')}`);
      await manager.query('UPDATE projection_checkpoints SET position = NULL, updated_at = now()');
    });
    await test.close();
    test = undefined;
    const catchUpCpu = cpuNow();
    const catchUpStarted = process.hrtime.bigint();
    let bootSeconds = 0;
    const { statements: catchUpStatements } = await counted(async () => {
      test = await startTestApp({ kind, database, env, startProjections: false });
      attribute(test.runner.projections());
      bootSeconds = seconds(catchUpStarted);
      await test.runner.start();
      await test.runner.caughtUp();
    });
    const catchUpPerProjection = new Map(perProjection);
    const catchUpReads = ledgerReads;
    const catchUpSeconds = seconds(catchUpStarted);
    const catchUpCpuUsed = cpuSince(catchUpCpu);
    const after = (test as TestApp | undefined)?.runner.status() ?? [];
    const appliedLive = after.reduce((sum, status) => sum + status.eventsApplied, 0);

    // ---- report ----
    const rate = (events: number, s: number) => (s > 0 ? events / s : 0);
    const rebuildRate = rate(total, rebuildSeconds);
    const catchUpRate = rate(total, catchUpSeconds);
    const rebuildStatements = rebuildCount.statements;
    const appliedRebuild = rebuilt.reduce((sum, row) => sum + row.applied, 0);
    const line = (cells: string[], widths: number[]) =>
      cells
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('');
    const perEvent = (sent: number, applied: number) =>
      applied > 0 ? (sent / applied).toFixed(2) : '-';
    const widths = [26, 10, 14, 10, 12, 14, 10];
    console.log(
      `\nledger: ${total} events (${kind}); page ${PAGE}; 2 cores; load average at start ${loadAtStart}`,
    );
    console.log(
      'statements inside each projection’s page handler (the runner’s own transaction and checkpoint statements apart):',
    );
    console.log(
      line(
        ['projection', 'applied', 'stmts (b)', 'stmts/ev', 'handler s', 'stmts (c)', 'stmts/ev'],
        widths,
      ),
    );
    for (const row of rebuilt) {
      const live = after.find((status) => status.name === row.name)?.eventsApplied ?? 0;
      const liveStatements = catchUpPerProjection.get(row.name) ?? 0;
      console.log(
        line(
          [
            row.name,
            String(row.applied),
            String(row.statements),
            perEvent(row.statements, row.applied),
            row.seconds.toFixed(2),
            String(liveStatements),
            perEvent(liveStatements, live),
          ],
          widths,
        ),
      );
    }
    console.log('');
    const summary = [34, 10, 12, 12, 10, 10, 10];
    console.log(
      line(
        ['measure', 'seconds', 'ledger ev/s', 'statements', 'stmts/ev', 'reads', '× raw'],
        summary,
      ),
    );
    console.log(
      line(
        [
          '(a) raw keyset read',
          raw.seconds.toFixed(2),
          rawRate.toFixed(0),
          '-',
          '-',
          String(Math.ceil(raw.events / PAGE)),
          '1',
        ],
        summary,
      ),
    );
    console.log(
      line(
        [
          `(b) rebuild, ${rebuilt.length} projections`,
          rebuildSeconds.toFixed(1),
          rebuildRate.toFixed(0),
          String(rebuildStatements),
          (rebuildStatements / total).toFixed(2),
          String(rebuildReads),
          (rebuildRate / rawRate).toFixed(3),
        ],
        summary,
      ),
    );
    console.log(
      line(
        [
          '(c) live catch-up, new app',
          catchUpSeconds.toFixed(1),
          catchUpRate.toFixed(0),
          String(catchUpStatements),
          (catchUpStatements / total).toFixed(2),
          String(catchUpReads),
          (catchUpRate / rawRate).toFixed(3),
        ],
        summary,
      ),
    );
    console.log(
      `\nreads: statements that read ledger_events ((a): pages of ${PAGE}). The rebuild opened ${subscriptions} subscription(s) on the ledger for ${rebuilt.length} projections (${rebuildReads} ledger reads).`,
    );
    console.log(
      `stmts/ev: statements per ledger event (per projection: per event it applied). (b) applied ${appliedRebuild} projection-events in all; (c) applied ${appliedLive}, of which the app's boot took ${bootSeconds.toFixed(1)} s; its statements include the boot's.`,
    );
    console.log(
      `CPU: (b) ${rebuildCpuUsed}; (c) ${catchUpCpuUsed} (the embedded store runs inside this process).`,
    );
    console.log(
      `load average at end ${load()}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await (test as TestApp | undefined)?.close();
    await database?.close(); // a kept database's close() only forgets it
    if (dataDir && !kept) await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
