/**
 * `npm run bench:scale`: Attest on a ledger grown towards ten million events.
 *
 * A governed history goes in through the HTTP API (models trained, evaluated, approved,
 * deployed), then the bulk through the store's own append path in large batches — one append of
 * BENCH_SCALE_BATCH events at a time, so hash chains, positions and (once the projections run)
 * the integrity tree are all real: prediction-batch summaries (a deployment's batches of the day
 * in one stream) and regulators' access records. At each size of BENCH_SCALE_SIZES (default
 * 10k, 1M, 10M) it measures:
 *   - the append rate over the last BENCH_SCALE_WINDOW events before that size (flat is the goal);
 *   - the projections catching up live from the previous size (events/s);
 *   - p50/p95 of 40 reads each through the API: the registry (a model), lineage (summarised,
 *     from a serving version), a model as of an instant, and the ADM register;
 *   - `ledger verify` (hash chains of every stream, as `npm run verify-ledger`): events/s, up to
 *     BENCH_SCALE_VERIFY_MAX events (beyond, its time is extrapolated from the rate);
 * and at the largest size a full rebuild of every projection (BENCH_SCALE_REBUILD=0: skipped).
 * If the largest size does not fit this machine's time or disk, run a smaller one and read the
 * curve: the figures are printed per size. No assertions on time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { LedgerPosition, NewEvent } from '../../src/ledger/event-log.port';
import { verifyLedger } from '../../src/ledger/ledger-verifier';
import { streams } from '../../src/ledger/stream-names';
import { settled } from '../support/events';
import { startTestApp, type TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { predictionBatchEvent } from './bench-support';
import { regulatorAccessed, seedGovernance } from './governance-seed';

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '10000,1000000,10000000')
  .split(',')
  .map((size) => Number(size.trim()))
  .filter((size) => size > 0)
  .sort((a, b) => a - b);
const BATCH = Number(process.env.BENCH_SCALE_BATCH ?? 1000);
const WINDOW = Number(process.env.BENCH_SCALE_WINDOW ?? 20_000);
const VERIFY_MAX = Number(process.env.BENCH_SCALE_VERIFY_MAX ?? 2_000_000);
const REBUILD = process.env.BENCH_SCALE_REBUILD !== '0';
const APPENDERS = Number(process.env.BENCH_SCALE_APPENDERS ?? 2);
const MODELS = 10;
const REQUESTS = 40;
/** One append of access records in this many appends. */
const ACCESS_EVERY = 10;

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

interface SizeFigures {
  size: number;
  appendRate: number;
  catchUpRate: number;
  catchUpSeconds: number;
  reads: { name: string; p50: number; p95: number }[];
  verifyRate?: number;
  verifySeconds?: number;
}

/** Appends until the ledger holds `target` events; the rate over the last WINDOW of them. */
async function grow(
  test: TestApp,
  serving: Map<string, string>,
  state: { count: number; appends: number },
  target: number,
): Promise<number> {
  let windowStart: { at: bigint; count: number } | undefined;
  const windowFrom = Math.max(state.count, target - WINDOW);
  let last: LedgerPosition | undefined;
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      while (state.count < target) {
        const n = Math.min(BATCH, target - state.count);
        state.count += n;
        const append = state.appends++;
        const model = `model-${append % MODELS}`;
        const day = new Date(Date.parse('2026-06-01T00:00:00Z') + append * 86_400_000);
        let stream: string;
        let events: NewEvent[];
        if (append % ACCESS_EVERY === ACCESS_EVERY - 1) {
          stream = streams.accessLog(`regulator-${append % 7}`);
          events = Array.from({ length: n }, (_, i) =>
            regulatorAccessed(`regulator-${append % 7}`, i, day, MODELS),
          );
        } else {
          // A deployment's prediction batches of one day, recorded together.
          stream = streams.predictionBatch(uuidv7());
          events = Array.from({ length: n }, (_, i) =>
            predictionBatchEvent({
              batchId: uuidv7(),
              deploymentId: `${model}.production`,
              model,
              version: serving.get(model) as string,
              environment: 'production',
              from: new Date(day.getTime() + i * 600_000),
            }),
          );
        }
        if (!windowStart && state.count - n >= windowFrom)
          windowStart = { at: process.hrtime.bigint(), count: state.count - n };
        const { position } = await test.eventLog.append(stream, events, {
          expectedRevision: 'any',
        });
        if (!last || test.eventLog.comparePositions(position, last) > 0) last = position;
      }
    }),
  );
  // The rate of the appends themselves: taken before waiting for the log to settle (the wait
  // for delivery is no part of appending, and over a short window it used to dominate).
  const rate = windowStart ? (state.count - windowStart.count) / seconds(windowStart.at) : 0;
  if (last) await settled(test.eventLog, last);
  return rate;
}

async function timedReads(
  test: TestApp,
  token: string,
  name: string,
  url: () => string,
): Promise<{ name: string; p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const begin = process.hrtime.bigint();
    const response = await test.anonymous().get(url()).set('Authorization', `Bearer ${token}`);
    times.push(seconds(begin) * 1000);
    if (response.status !== 200)
      throw new Error(`GET ${url()}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { name, p50: at(0.5), p95: at(0.95) };
}

async function main(): Promise<void> {
  const loadAtStart = load();
  const started = Date.now();
  const dataDir = process.env.DATABASE_URL
    ? undefined
    : await mkdtemp(join(tmpdir(), 'attest-bench-scale-'));
  const database: TestDatabase | undefined = process.env.DATABASE_URL
    ? await createTestDatabase('postgres')
    : undefined;
  const kind = database ? 'postgres' : 'embedded';
  const env = { DATABASE_POOL_SIZE: '16', ...(dataDir ? { DATA_DIR: dataDir } : {}) };
  let test: TestApp | undefined;
  const figures: SizeFigures[] = [];
  try {
    const time = new TestClock('2026-01-05T09:00:00.000Z');
    test = await startTestApp({ kind, database, clock: time.clock, env });
    const serving = await seedGovernance(test, time, { models: MODELS, versions: 2 });
    await test.runner.caughtUp();
    const asOf = time.iso();
    const token = await test.token('rita', ['regulator'], '24h');
    const state = { count: await test.countEvents(), appends: 0 };
    console.log(
      `${kind}: governance history of ${state.count} events through the API; bulk in appends of ${BATCH}, ${APPENDERS} appenders`,
    );
    let lastCaughtUp = state.count;
    for (const size of SIZES) {
      if (size <= state.count) continue;
      // Appends run alone: projections stopped, as a bulk import would.
      await test.runner.stop();
      const growStarted = process.hrtime.bigint();
      const appendRate = await grow(test, serving, state, size);
      process.stderr.write(
        `  grew to ${state.count} events in ${seconds(growStarted).toFixed(0)} s (last ${WINDOW}: ${appendRate.toFixed(0)}/s)\n`,
      );
      const catchUpStarted = process.hrtime.bigint();
      await test.runner.start();
      const head = await test.eventLog.headPosition();
      if (head && !(await test.runner.waitFor(head, 24 * 3600_000)))
        throw new Error('projections did not catch up');
      const catchUpSeconds = seconds(catchUpStarted);
      const catchUpRate = (state.count - lastCaughtUp) / catchUpSeconds;
      lastCaughtUp = state.count;
      process.stderr.write(`  projections caught up in ${catchUpSeconds.toFixed(0)} s\n`);

      const model = 'model-3';
      const version = serving.get(model) as string;
      const reads = [
        await timedReads(test, token, 'registry: a model', () => `/api/v1/models/${model}`),
        await timedReads(
          test,
          token,
          'lineage (summarised)',
          () => `/api/v1/lineage/model-version/${model}@${version}?depth=3`,
        ),
        await timedReads(
          test,
          token,
          'a model asOf',
          () => `/api/v1/models/${model}?asOf=${encodeURIComponent(asOf)}`,
        ),
        await timedReads(test, token, 'ADM register', () => `/api/v1/compliance/adm-register`),
      ];
      const row: SizeFigures = {
        size: state.count,
        appendRate,
        catchUpRate,
        catchUpSeconds,
        reads,
      };
      if (state.count <= VERIFY_MAX) {
        const begin = process.hrtime.bigint();
        const report = await verifyLedger(test.eventLog);
        row.verifySeconds = seconds(begin);
        row.verifyRate = report.eventsChecked / row.verifySeconds;
        if (!report.ok) throw new Error('the ledger did not verify');
      }
      figures.push(row);
      printSize(row);
    }
    if (REBUILD) {
      const begin = process.hrtime.bigint();
      await test.runner.rebuild();
      const rebuildSeconds = seconds(begin);
      console.log(
        `\nrebuild of every projection over ${state.count} events: ${rebuildSeconds.toFixed(0)} s (${(state.count / rebuildSeconds).toFixed(0)} events/s)`,
      );
    }
    printSummary(figures);
    console.log(
      `\n${kind}; 2 cores; load average at start ${loadAtStart}, at end ${load()}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await test?.close();
    await database?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

function printSize(row: SizeFigures): void {
  console.log(
    `\n${row.size} events: append ${row.appendRate.toFixed(0)}/s; projections caught up at ${row.catchUpRate.toFixed(0)} events/s (${row.catchUpSeconds.toFixed(0)} s)` +
      (row.verifyRate
        ? `; ledger verify ${row.verifyRate.toFixed(0)} events/s (${(row.verifySeconds ?? 0).toFixed(1)} s)`
        : ''),
  );
  for (const read of row.reads)
    console.log(
      `  ${read.name.padEnd(24)} p50 ${read.p50.toFixed(1).padStart(7)} ms  p95 ${read.p95.toFixed(1).padStart(7)} ms${read.p95 < 50 ? '' : '  (over 50 ms)'}`,
    );
}

function printSummary(figures: SizeFigures[]): void {
  if (figures.length === 0) return;
  const rates = figures.map((row) => row.appendRate).filter((rate) => rate > 0);
  const spread = rates.length > 1 ? Math.max(...rates) / Math.min(...rates) - 1 : 0;
  console.log(
    `\nappend rate across sizes: ${rates.map((rate) => rate.toFixed(0)).join(', ')} events/s — spread ${(spread * 100).toFixed(0)}% (goal: within 20%)`,
  );
  const verified = figures.filter((row) => row.verifyRate);
  const largest = figures[figures.length - 1];
  if (verified.length > 0 && !largest.verifyRate) {
    const rate = verified[verified.length - 1].verifyRate as number;
    console.log(
      `ledger verify at ${largest.size} events, extrapolated from ${rate.toFixed(0)} events/s: ${(largest.size / rate).toFixed(0)} s`,
    );
  }
  const worst = largest.reads.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  console.log(
    `reads at ${largest.size} events: worst p95 ${worst.p95.toFixed(1)} ms (${worst.name}) — ${worst.p95 < 50 ? 'PASS' : 'FAIL'} (goal: under 50 ms)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
