/**
 * `npm run chaos`: kill -9 cycles under concurrent writers, on the embedded store and on
 * PostgreSQL (README, "Chaos test"). The built service runs as its own process; N pipelines write
 * through the HTTP API with Idempotency-Keys and retry with the same key after a connection error;
 * every cycle the service is killed with SIGKILL after a short random time and started again on
 * the same store. Then: every acknowledged write is in the ledger exactly once, the chains and
 * the integrity tree verify (API, and the CLI on the store as the last kill left it), and the read
 * models agree with the ledger. Prints the figures; exits 1 if any check fails.
 *
 *   CHAOS_CYCLES (15) CHAOS_WRITERS (12) CHAOS_STORES (embedded,postgres)
 *   CHAOS_MIN_UP_MS (500) CHAOS_MAX_UP_MS (3000): time the service runs between kills
 *   CHAOS_START_KILL_EVERY (5): every so many cycles, the restarted service is killed again
 *     before it is ready, then started once more (0: never)
 *   CHAOS_DRAIN_MS (90000): how long writers may finish parked keys after the last restart
 *   CHAOS_DATABASE_URL or DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres): the server
 *     on which a scratch database is created and dropped
 *   CHAOS_KEEP=1: keep the scratch database when a check fails (the data dir is always kept then)
 *   or flags: --cycles 15 --writers 12 --stores embedded,postgres
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DevIssuer } from '../../src/auth/dev-issuer';
import { DEV_ISSUER, loadConfig } from '../../src/config/app-config';
import {
  Check,
  LedgerAudit,
  LedgerEvent,
  auditLedger,
  checkReadModels,
  checkStreamIndex,
  scanLedger,
  verifyViaApi,
} from './checks';
import { scratchDatabase } from '../support/test-database';
import { HttpClient, ServiceProcess, freePort, sleep } from './service';
import {
  ReplayFigures,
  WriterFigures,
  emptyFigures,
  replayAcknowledged,
  runWriter,
  setUpDeployment,
} from './workload';

type Store = 'embedded' | 'postgres';

interface Settings {
  cycles: number;
  writers: number;
  stores: Store[];
  minUpMs: number;
  maxUpMs: number;
  drainMs: number;
  startKillEvery: number;
  databaseUrl: string;
}

function settings(argv: string[]): Settings {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new Error(`unexpected argument ${argv[i]}`);
    flags.set(match[1], match[2] ?? argv[++i] ?? '');
  }
  const number = (flag: string, env: string, fallback: number) => {
    const text = flags.get(flag) ?? process.env[env];
    const value = text === undefined || text === '' ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${env} (--${flag}) must be a whole number`);
    return value;
  };
  const stores = (flags.get('stores') ?? process.env.CHAOS_STORES ?? 'embedded,postgres')
    .split(',')
    .filter(Boolean);
  for (const store of stores)
    if (store !== 'embedded' && store !== 'postgres')
      throw new Error(`CHAOS_STORES: ${store} is not embedded or postgres`);
  const result: Settings = {
    cycles: number('cycles', 'CHAOS_CYCLES', 15),
    writers: Math.max(1, number('writers', 'CHAOS_WRITERS', 12)),
    stores: stores as Store[],
    minUpMs: number('min-up-ms', 'CHAOS_MIN_UP_MS', 500),
    maxUpMs: number('max-up-ms', 'CHAOS_MAX_UP_MS', 3000),
    drainMs: number('drain-ms', 'CHAOS_DRAIN_MS', 90_000),
    startKillEvery: number('start-kill-every', 'CHAOS_START_KILL_EVERY', 5),
    databaseUrl:
      process.env.CHAOS_DATABASE_URL ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/postgres',
  };
  if (result.maxUpMs < result.minUpMs) result.maxUpMs = result.minUpMs;
  return result;
}

interface StoreResult {
  store: Store;
  kills: number;
  cycles: number;
  /** Kills of a starting service, before it was ready. */
  startupKills: number;
  seconds: number;
  firstStartMs: number;
  restartMs: number[];
  figures: WriterFigures[];
  replays?: ReplayFigures;
  /** How long the ledger scan waited for every acknowledged event to show. */
  scanWaitMs?: number;
  audit?: LedgerAudit;
  checks: Check[];
  failure?: string;
}

/** The CLI's log lines carry terminal colour codes. */
const COLOUR_CODES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** `node dist/src/cli/ledger-verify.js` on the store: exit code and what it printed. */
function verifyWithCli(env: Record<string, string>): Promise<Check> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/src/cli/ledger-verify.js'], {
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('close', (code) =>
      resolve({
        name: 'ledger-verify CLI after the last kill',
        ok: code === 0,
        detail: `exit ${code}: ${output
          .replace(COLOUR_CODES, '')
          .trim()
          .split('\n')
          .slice(0, 4)
          .join(' | ')}`,
      }),
    );
  });
}

/** The same questions asked of PostgreSQL directly, not through the service. */
async function checkWithSql(
  url: string,
  events: LedgerEvent[],
  figures: WriterFigures[],
): Promise<Check> {
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    const [{ rows, ids }] = (
      await sql.query<{ rows: number; ids: number }>(
        'SELECT count(*)::int AS rows, count(DISTINCT id)::int AS ids FROM ledger_events',
      )
    ).rows;
    const marker = `CASE type
      WHEN 'DatasetVersionRegistered' THEN 'dataset-version ' || (data->>'name') || '@' || (data->>'version')
      WHEN 'TrainingRunStarted' THEN 'training-run ' || (data->'code'->>'commit')
      ELSE 'prediction-batch ' || (data->>'inputDigest') END`;
    const markers = `SELECT ${marker} AS m FROM ledger_events
      WHERE type IN ('DatasetVersionRegistered', 'TrainingRunStarted', 'PredictionBatchRecorded')`;
    const acknowledged = figures
      .flatMap((f) => f.acknowledged)
      .map((ack) => `${ack.request.kind} ${ack.request.marker}`);
    const [{ duplicated }] = (
      await sql.query<{ duplicated: number }>(
        `SELECT count(*)::int AS duplicated FROM (
           SELECT m FROM (${markers}) x WHERE m = ANY($1::text[]) GROUP BY m HAVING count(*) > 1) d`,
        [acknowledged],
      )
    ).rows;
    const [{ missing }] = (
      await sql.query<{ missing: number }>(
        `SELECT count(*)::int AS missing FROM unnest($1::text[]) AS a(m)
         WHERE NOT EXISTS (SELECT 1 FROM (${markers}) x WHERE x.m = a.m)`,
        [acknowledged],
      )
    ).rows;
    // Rows the API's ledger pages did not show (they may have been appended since, e.g. a checkpoint).
    const hidden = (
      await sql.query<{ id: string; stream: string; type: string; position: string; tx: string }>(
        `SELECT id, stream, type, position::text, transaction_id::text AS tx FROM ledger_events
         WHERE NOT (id = ANY($1::uuid[])) ORDER BY transaction_id, position`,
        [events.map((event) => event.id)],
      )
    ).rows;
    const hiddenWrites = hidden.filter((row) => row.type !== 'LedgerCheckpointSigned');
    const ok = ids === rows && duplicated === 0 && missing === 0 && hiddenWrites.length === 0;
    return {
      name: 'SQL on ledger_events',
      ok,
      detail:
        `${rows} rows, ${ids} distinct ids; acknowledged writes missing ${missing}, duplicated ${duplicated}; ` +
        `rows the API did not page through ${hidden.length}` +
        (hiddenWrites.length
          ? ` (first: ${hiddenWrites
              .slice(0, 3)
              .map((row) => `${row.type} ${row.stream} tx ${row.tx} position ${row.position}`)
              .join('; ')})`
          : ''),
    };
  } finally {
    await sql.end();
  }
}

/** What holds PostgreSQL's snapshot horizon back: the oldest open transactions on the server. */
async function horizon(base: string): Promise<string> {
  const sql = new Client({ connectionString: base });
  await sql.connect();
  try {
    const [{ xmin }] = (
      await sql.query<{ xmin: string }>(
        'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
      )
    ).rows;
    const open = (
      await sql.query<Record<string, unknown>>(
        `SELECT datname, pid, application_name, state, wait_event_type, wait_event,
                backend_xid::text AS xid, backend_xmin::text AS xmin,
                round(extract(epoch FROM now() - xact_start))::int AS open_s, left(query, 100) AS query
         FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
         ORDER BY backend_xid::text::bigint LIMIT 5`,
      )
    ).rows;
    return `snapshot xmin ${xmin}; oldest open transactions: ${JSON.stringify(open)}`;
  } finally {
    await sql.end();
  }
}

/**
 * Scans until two scans agree and every acknowledged event id is among them, for at most
 * `timeoutMs`: on PostgreSQL the ledger shows an event once every older transaction has ended
 * (README, Architecture), so a scan can briefly end short of the newest events. Answers the last
 * scan and how long it waited beyond the first.
 */
async function settledLedger(
  http: HttpClient,
  token: string,
  acknowledgedIds: string[],
  diagnose: (missing: number) => Promise<void>,
  timeoutMs = 60_000,
): Promise<{ events: LedgerEvent[]; waitedMs: number }> {
  const began = Date.now();
  let events = await scanLedger(http, token);
  let diagnosed = false;
  for (;;) {
    await sleep(500);
    const again = await scanLedger(http, token);
    const ids = new Set(again.map((event) => event.id));
    const missing = acknowledgedIds.filter((id) => !ids.has(id)).length;
    const complete = missing === 0;
    if (!complete && !diagnosed) {
      diagnosed = true;
      await diagnose(missing).catch(() => undefined);
    }
    if ((again.length === events.length && complete) || Date.now() - began > timeoutMs)
      return { events: again, waitedMs: Date.now() - began };
    events = again;
  }
}

async function runStore(store: Store, options: Settings): Promise<StoreResult> {
  const began = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), `attest-chaos-${store}-`));
  const database =
    store === 'postgres' ? await scratchDatabase(options.databaseUrl, 'attest_chaos') : undefined;
  // DATA_DIR holds the dev issuer's key (and, embedded, the store); DATABASE_URL only on PostgreSQL.
  const env: Record<string, string> = { DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '' };
  const http = new HttpClient(await freePort(), options.writers + 8);
  const service = new ServiceProcess(env, http);
  const result: StoreResult = {
    store,
    kills: 0,
    cycles: 0,
    startupKills: 0,
    seconds: 0,
    firstStartMs: 0,
    restartMs: [],
    figures: Array.from({ length: options.writers }, emptyFigures),
    checks: [],
  };
  const log = (line: string) =>
    console.log(`[${store} ${((Date.now() - began) / 1000).toFixed(1)}s] ${line}`);
  let keep = false;
  try {
    result.firstStartMs = await service.start();
    log(`service ready in ${result.firstStartMs} ms (pid ${service.pid}, port ${http.port})`);
    const { audience } = loadConfig({}).auth;
    const issuer = await DevIssuer.open(dataDir, DEV_ISSUER, audience);
    const admin = await issuer.sign({ sub: 'chaos-auditor', roles: ['admin'] }, '2h');
    await setUpDeployment(
      http,
      await issuer.sign({ sub: 'chaos-setup', roles: ['pipeline'] }, '2h'),
      await issuer.sign({ sub: 'chaos-risk', roles: ['risk-manager'] }, '2h'),
    );
    const tokens = await Promise.all(
      result.figures.map((_, writer) =>
        issuer.sign({ sub: `chaos-pipeline-${writer}`, roles: ['pipeline'] }, '2h'),
      ),
    );

    let stopping = false;
    let deadline = Number.POSITIVE_INFINITY;
    const writers = Promise.all(
      result.figures.map((figures, writer) =>
        runWriter({
          store,
          writer,
          http,
          token: tokens[writer],
          figures,
          stopping: () => stopping,
          deadline: () => deadline,
        }),
      ),
    );
    try {
      for (let cycle = 1; cycle <= options.cycles; cycle++) {
        const upMs = options.minUpMs + Math.random() * (options.maxUpMs - options.minUpMs);
        await sleep(upMs);
        const acknowledged = result.figures.reduce((n, f) => n + f.acknowledged.length, 0);
        const pid = service.pid;
        await service.kill9();
        result.kills++;
        let startupKill = '';
        if (options.startKillEvery > 0 && cycle % options.startKillEvery === 0) {
          // A crash during start-up (migrations, catching up): somewhere in the first part of a start.
          const killAfterMs = Math.round(200 + Math.random() * 0.8 * median(result.restartMs));
          const ready = await service.startUnlessKilled(120_000, killAfterMs);
          if (ready === undefined) {
            result.startupKills++;
            startupKill = `, then again ${killAfterMs} ms into its start`;
          } else {
            result.restartMs.push(ready);
            await service.kill9();
            result.kills++;
            startupKill = `, then again once ready (${ready} ms; it was meant to be killed at ${killAfterMs} ms)`;
          }
        }
        const readyMs = await service.start();
        result.restartMs.push(readyMs);
        result.cycles++;
        log(
          `cycle ${cycle}/${options.cycles}: kill -9 pid ${pid} after ${Math.round(upMs)} ms (${acknowledged} writes acknowledged so far)${startupKill}; ready again in ${readyMs} ms`,
        );
      }
    } finally {
      stopping = true;
      deadline = Date.now() + options.drainMs;
      await writers;
    }
    const unresolved = result.figures.reduce((n, f) => n + f.unresolved.length, 0);
    log(`writers stopped; ${unresolved} writes left unresolved`);
    const acknowledged = result.figures.flatMap((f) => f.acknowledged);
    result.replays = await replayAcknowledged(http, tokens, acknowledged);
    log(`sent the ${acknowledged.length} acknowledged writes again with their keys`);

    const settled = await settledLedger(
      http,
      admin,
      acknowledged.flatMap((ack) => ack.eventIds),
      async (missing) => {
        log(
          `the ledger pages do not show ${missing} acknowledged events yet` +
            (database ? `; ${await horizon(options.databaseUrl)}` : ''),
        );
      },
    );
    const events = settled.events;
    result.scanWaitMs = settled.waitedMs;
    if (settled.waitedMs > 5000)
      log(`the ledger scan took ${settled.waitedMs} ms to show every acknowledged event`);
    const position = events[events.length - 1].position;
    result.audit = auditLedger(events, result.figures);
    const audit = result.audit;
    const refused = result.figures.flatMap((f) => f.refused);
    result.checks.push(
      {
        name: 'every attempted write acknowledged',
        ok: unresolved === 0 && refused.length === 0,
        detail:
          `${unresolved} unresolved, ${refused.length} refused` +
          (refused.length
            ? `; first: ${refused[0].status} ${JSON.stringify(refused[0].body).slice(0, 300)}`
            : ''),
      },
      {
        name: 'a repeated key answers the stored result',
        ok: result.replays.different.length === 0,
        detail: `${result.replays.sameAnswer}/${result.replays.sent} answered as a replay with the acknowledged id and event ids${result.replays.different.length ? `; first: ${result.replays.different[0]}` : ''}`,
      },
      {
        name: 'no acknowledged write lost',
        ok: audit.lost.length === 0 && audit.missingEventIds.length === 0,
        detail: `${audit.lost.length} lost, ${audit.missingEventIds.length} acknowledged event ids missing${audit.lost.length ? `; first: ${audit.lost[0]}` : ''}`,
      },
      {
        name: 'no write stored twice',
        ok:
          audit.duplicated.length === 0 &&
          audit.duplicateEventIds === 0 &&
          audit.duplicateRevisions === 0,
        detail: `${audit.duplicated.length} duplicated (${audit.duplicatedRetried} of retried keys), ${audit.duplicateEventIds} repeated event ids, ${audit.duplicateRevisions} repeated stream revisions${audit.duplicated.length ? `; first: ${audit.duplicated[0]}` : ''}`,
      },
      {
        name: 'answers name the recorded resource',
        ok: audit.wrongIds.length === 0,
        detail: `${audit.wrongIds.length} wrong${audit.wrongIds.length ? `; first: ${audit.wrongIds[0]}` : ''}`,
      },
      {
        name: 'no unacknowledged write stored',
        ok: audit.storedUnacknowledged === 0,
        detail: `${audit.storedUnacknowledged} stored without an acknowledgement`,
      },
    );
    result.checks.push(await verifyViaApi(http, admin));
    result.checks.push(await checkStreamIndex(http, admin, events, position));
    result.checks.push(...(await checkReadModels(http, admin, events, acknowledged, position)));
    if (database) result.checks.push(await checkWithSql(database.url, events, result.figures));

    // The store as a crash leaves it: the CLI recomputes every chain and the tree on its own.
    await service.kill9();
    result.kills++;
    result.checks.push(await verifyWithCli(env));
    for (const check of result.checks)
      log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
    keep = result.checks.some((check) => !check.ok);
  } catch (error) {
    result.failure = error instanceof Error ? error.message : String(error);
    log(`FAILED: ${result.failure}`);
    keep = true;
  } finally {
    result.seconds = (Date.now() - began) / 1000;
    await service.stop().catch(() => undefined);
    http.close();
    if (database && keep && process.env.CHAOS_KEEP === '1')
      log(`database kept for inspection (CHAOS_KEEP=1): ${database.url}`);
    else if (database) await database.drop().catch(() => undefined);
    if (keep) log(`data dir kept for inspection: ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
  return result;
}

function median(values: number[]): number {
  return values.length === 0 ? 5000 : percentile(values, 50);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function table(results: StoreResult[], options: Settings): string {
  const sum = (r: StoreResult, pick: (f: WriterFigures) => number) =>
    r.figures.reduce((n, f) => n + pick(f), 0);
  const check = (r: StoreResult, name: string) => {
    const found = r.checks.find((c) => c.name === name);
    return found ? (found.ok ? 'pass' : 'FAIL') : '—';
  };
  const rows: [string, (r: StoreResult) => string | number][] = [
    ['kill -9 cycles', (r) => r.cycles],
    ['  + kills during start-up', (r) => r.startupKills],
    ['concurrent writers', () => options.writers],
    ['duration (s)', (r) => r.seconds.toFixed(0)],
    ['writes attempted', (r) => sum(r, (f) => f.attempted)],
    ['writes acknowledged', (r) => sum(r, (f) => f.acknowledged.length)],
    ['  answered as a replay', (r) => r.audit?.replayed ?? '—'],
    ['  keys sent more than once', (r) => r.audit?.retriedKeys ?? '—'],
    ['resends (same key)', (r) => sum(r, (f) => f.resends)],
    ['  request cut by a kill', (r) => sum(r, (f) => f.cut)],
    ['  connection refused (service down)', (r) => sum(r, (f) => f.connectionRefused)],
    ['  after 409 key in flight', (r) => sum(r, (f) => f.inFlight409)],
    ['  after 503', (r) => sum(r, (f) => f.unavailable503)],
    ['  after another 5xx', (r) => sum(r, (f) => f.serverErrors.length)],
    ['refused (4xx)', (r) => sum(r, (f) => f.refused.length)],
    ['unresolved at the end', (r) => sum(r, (f) => f.unresolved.length)],
    [
      'acknowledged keys sent again: same answer',
      (r) => (r.replays ? `${r.replays.sameAnswer}/${r.replays.sent}` : '—'),
    ],
    ['ledger scan settled after (ms)', (r) => r.scanWaitMs ?? '—'],
    ['events in the ledger', (r) => r.audit?.events ?? '—'],
    ['  recording writers’ writes', (r) => r.audit?.writeEvents ?? '—'],
    ['lost (must be 0)', (r) => (r.audit ? r.audit.lost.length : '—')],
    ['duplicated (must be 0)', (r) => (r.audit ? r.audit.duplicated.length : '—')],
    ['GET /ledger/verify', (r) => check(r, 'GET /ledger/verify')],
    ['ledger-verify CLI', (r) => check(r, 'ledger-verify CLI after the last kill')],
    ['stream index = ledger', (r) => check(r, 'stream index = ledger')],
    [
      'read models = ledger',
      (r) => {
        const reads = r.checks.filter((c) => / readable|views|list/.test(c.name));
        return reads.length === 0 ? '—' : reads.every((c) => c.ok) ? 'pass' : 'FAIL';
      },
    ],
    ['SQL on ledger_events', (r) => check(r, 'SQL on ledger_events')],
    ['first start, ready (ms)', (r) => r.firstStartMs],
    [
      'restart → ready min/median/max (ms)',
      (r) =>
        r.restartMs.length
          ? `${Math.min(...r.restartMs)} / ${percentile(r.restartMs, 50)} / ${Math.max(...r.restartMs)}`
          : '—',
    ],
    ['result', (r) => (r.failure || r.checks.some((c) => !c.ok) ? 'FAIL' : 'pass')],
  ];
  const width = 38;
  const column = 22;
  const lines = [
    `${''.padEnd(width)}${results.map((r) => r.store.padStart(column)).join('')}`,
    ...rows.map(
      ([label, value]) =>
        `${label.padEnd(width)}${results.map((r) => String(value(r)).padStart(column)).join('')}`,
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  const options = settings(process.argv.slice(2));
  console.log(
    `Attest chaos test: ${options.cycles} kill -9 cycles, ${options.writers} concurrent writers, on ${options.stores.join(' and ')}; ${options.minUpMs}–${options.maxUpMs} ms between kills`,
  );
  const results: StoreResult[] = [];
  for (const store of options.stores) results.push(await runStore(store, options));
  console.log(`\n${table(results, options)}`);
  const failed = results.filter((r) => r.failure || r.checks.some((c) => !c.ok));
  for (const result of failed) {
    if (result.failure) console.log(`\n${result.store}: ${result.failure}`);
    for (const check of result.checks.filter((c) => !c.ok))
      console.log(`${result.store}: FAIL ${check.name}: ${check.detail}`);
    const serverErrors = result.figures.flatMap((f) => f.serverErrors);
    if (serverErrors.length)
      console.log(`${result.store}: first 5xx: ${JSON.stringify(serverErrors[0]).slice(0, 500)}`);
  }
  console.log(failed.length === 0 ? '\nchaos: every check passed' : '\nchaos: FAILED');
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
