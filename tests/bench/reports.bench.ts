/**
 * `npm run bench:reports`:
 *  1. Audit packs: two model versions with about 1k and 10k cited events (a sample history
 *     through the API, then prediction-batch summaries appended straight to the log); the time
 *     to download each pack over HTTP, best and median of 3, against the target of 1 s at 10k.
 *  2. Verification rate: 1M sealed events in memory, checked as the offline verifier and
 *     `ledger:verify` check them (canonical JSON, SHA-256 of the event, its Merkle leaf and the
 *     running root), beside raw SHA-256 of the same canonical bytes in the same run; target
 *     ≥ 0.3× raw. Also the rate of GET /ledger/verify over the seeded ledger (database reads
 *     included).
 * PostgreSQL when DATABASE_URL is set (a scratch database), embedded PGlite otherwise.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { v7 as uuidv7 } from 'uuid';
import { leafHash, nodeHash } from '../../src/integrity/merkle';
import type { EventMetadata, JsonObject } from '../../src/ledger/event-log.port';
import { GENESIS_HASH, eventHash, hashedText } from '../../src/ledger/hash-chain';
import { streams } from '../../src/ledger/stream-names';
import { settled } from '../support/events';
import { predictionBatchEvent } from './bench-support';
import { seedSampleHistory } from '../support/sample-history';
import { startTestApp, type TestApp } from '../support/test-app';

const VERIFY_EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 1_000_000);

async function appendBatches(test: TestApp, deploymentId: string, model: string, count: number) {
  let next = 0;
  let last = '';
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const batchId = uuidv7();
        const { position } = await test.eventLog.append(
          streams.predictionBatch(batchId),
          [
            predictionBatchEvent({
              batchId,
              deploymentId,
              model,
              version: '1.0.0',
              environment: 'staging',
              from: new Date(Date.parse('2026-10-01T00:00:00Z') + i * 600_000),
              outputs: { approve: 60 + (i % 7), refer: 30, decline: 10 - (i % 7) },
            }),
          ],
          { expectedRevision: 'no_stream' },
        );
        last = position;
      }
    }),
  );
  return last;
}

async function packs(test: TestApp): Promise<void> {
  const sizes: [string, number][] = [
    ['-1k', 1_000],
    ['-10k', 10_000],
  ];
  let position = '';
  for (const [tag, count] of sizes) {
    await seedSampleHistory(test, tag);
    position = await appendBatches(test, `scorer${tag}.staging`, `scorer${tag}`, count);
  }
  await settled(test.eventLog, position);
  if (!(await test.runner.waitFor(position, 30 * 60_000))) throw new Error('projections behind');
  const token = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
  // BENCH_CPU_PROFILE=<file>: a CPU profile of the pack downloads only (not the seeding).
  const profiler = process.env.BENCH_CPU_PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  console.log(
    `\n${'audit pack'.padEnd(22)}${'cited'.padStart(8)}${'pages'.padStart(8)}${'MB'.padStart(7)}${'best ms'.padStart(10)}${'median ms'.padStart(11)}  target`,
  );
  for (const [tag] of sizes) {
    const times: number[] = [];
    let cited = 0;
    let pages = '';
    let bytes = 0;
    for (let run = 0; run < 4; run++) {
      const started = process.hrtime.bigint();
      const response = await test
        .anonymous()
        .get(`/api/v1/models/scorer${tag}/versions/1.0.0/audit-pack`)
        .set('Authorization', token)
        .buffer(true)
        .parse((res, callback) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => callback(null, Buffer.concat(chunks)));
        });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (response.status !== 200) throw new Error(`audit pack: ${response.status}`);
      cited = Number(response.headers['attest-cited-events']);
      bytes = (response.body as Buffer).length;
      pages = String(
        ((response.body as Buffer).toString('latin1').match(/\/Type \/Page\b/g) ?? []).length,
      );
      if (run > 0) times.push(ms); // the first run warms caches and plans
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const target = cited >= 5_000 ? (median < 1000 ? 'met (< 1 s)' : 'not met (< 1 s)') : '';
    console.log(
      `${`scorer${tag} 1.0.0`.padEnd(22)}${String(cited).padStart(8)}${pages.padStart(8)}${(bytes / 1e6).toFixed(1).padStart(7)}${times[0].toFixed(0).padStart(10)}${median.toFixed(0).padStart(11)}  ${target}`,
    );
  }

  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.BENCH_CPU_PROFILE as string, JSON.stringify(profile));
    profiler.disconnect();
  }
  const events = await test.countEvents();
  const started = process.hrtime.bigint();
  const report = (await test.http().get('/api/v1/ledger/verify').expect(200)).body as {
    ok: boolean;
    eventsChecked: number;
  };
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `\nGET /ledger/verify over ${report.eventsChecked} events (${events} governance): ${(report.eventsChecked / seconds).toFixed(0)} events/s, ok=${report.ok} (database reads included)`,
  );
}

type Sealed = { fields: Parameters<typeof eventHash>[0]; hash: string };

/** Sealed events as the log stores them, chained per stream, `count` from number `from`. */
function sealedEvents(from: number, count: number, heads: Map<string, string>): Sealed[] {
  const events: Sealed[] = [];
  for (let i = from; i < from + count; i++) {
    const stream = `prediction-batch-${i % 1000}`;
    const revision = BigInt(Math.floor(i / 1000));
    const id = uuidv7();
    const metadata: EventMetadata = {
      schemaVersion: 1,
      occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      actor: { sub: 'ci', roles: ['pipeline'] },
      correlationId: id,
      causationId: id,
    };
    const data: JsonObject = {
      deploymentId: 'credit-risk.production',
      version: '1.4.0',
      count: 100,
      outputDistribution: { approve: 60, refer: 30, decline: 10 },
      latencyMs: { p50: 10, p95: 30, p99: 60 },
    };
    const fields = {
      stream,
      revision,
      id,
      type: 'PredictionBatchRecorded',
      data,
      metadata,
      prevHash: heads.get(stream) ?? GENESIS_HASH,
    };
    const hash = eventHash(fields);
    heads.set(stream, hash);
    events.push({ fields, hash });
  }
  return events;
}

/**
 * Like a verifier reading the ledger a page at a time: events are made in chunks (untimed), and
 * each chunk is timed twice over the same bytes — raw SHA-256, then the verification.
 */
function verificationRate(): void {
  const chunk = 50_000;
  const heads = new Map<string, string>();
  const frontier: { level: number; hash: Buffer }[] = [];
  let rawSeconds = 0;
  let verifySeconds = 0;
  let bytes = 0;
  let mismatches = 0;
  for (let from = 0; from < VERIFY_EVENTS; from += chunk) {
    const events = sealedEvents(from, Math.min(chunk, VERIFY_EVENTS - from), heads);
    const texts = events.map((e) => Buffer.from(hashedText(e.fields)));
    bytes += texts.reduce((n, t) => n + t.length, 0);

    let started = process.hrtime.bigint();
    for (const text of texts) createHash('sha256').update(text).digest();
    rawSeconds += Number(process.hrtime.bigint() - started) / 1e9;

    started = process.hrtime.bigint();
    for (const event of events) {
      const recomputed = eventHash(event.fields);
      if (recomputed !== event.hash) mismatches++;
      let node = { level: 0, hash: leafHash(Buffer.from(recomputed, 'hex')) };
      while (frontier.length > 0 && frontier[frontier.length - 1].level === node.level) {
        const left = frontier.pop() as { level: number; hash: Buffer };
        node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
      }
      frontier.push(node);
    }
    verifySeconds += Number(process.hrtime.bigint() - started) / 1e9;
  }
  const raw = VERIFY_EVENTS / rawSeconds;
  const verified = VERIFY_EVENTS / verifySeconds;
  console.log(
    `\nverification over ${VERIFY_EVENTS} events (${(bytes / 1e6).toFixed(0)} MB of canonical JSON), one process, ${chunk} at a time:`,
  );
  console.log(`  raw SHA-256 of the same bytes  ${raw.toFixed(0).padStart(9)} events/s`);
  console.log(
    `  verify (JSON, chain, Merkle)   ${verified.toFixed(0).padStart(9)} events/s   ${(verified / raw).toFixed(2)}× raw  target ≥ 0.3×: ${verified / raw >= 0.3 ? 'met' : 'not met'}  (${mismatches} mismatches)`,
  );
}

/** BENCH_ONLY=packs or BENCH_ONLY=verify runs one half. */
async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  if (only !== 'verify') {
    const test = await startTestApp({ env: { DATABASE_POOL_SIZE: '16' } });
    try {
      await packs(test);
    } finally {
      await test.close();
    }
  }
  if (only !== 'packs') verificationRate();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
