/**
 * The console's ledger pages over a large ledger (README, "Console"): about BENCH_EVENTS events
 * (100k by default) appended straight to the log over many streams, actors and days, plus the
 * sample history; then the time of GET /console/ledger with each kind of filter, and of the
 * verification it loads after rendering. Run: node -r ts-node/register/transpile-only
 * tests/bench/console-ledger.bench.ts (PostgreSQL when DATABASE_URL is set, PGlite otherwise).
 */
import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '../../src/ledger/event-log.port';
import { caughtUp } from '../support/events';
import { seedSampleHistory } from '../support/sample-history';
import { startTestApp } from '../support/test-app';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);

function probe(n: number): NewEvent {
  const id = uuidv7();
  return {
    id,
    type: 'LedgerProbeRecorded',
    data: { index: n, note: 'bench' },
    metadata: {
      schemaVersion: 1,
      occurredAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
      actor: { sub: `actor-${n % 50}`, roles: ['pipeline'] },
      correlationId: id,
      causationId: id,
    },
  };
}

async function main(): Promise<void> {
  const test = await startTestApp({
    env: { CHECKPOINT_EVERY_EVENTS: '0', CHECKPOINT_INTERVAL_MS: '0' },
  });
  try {
    let position = '';
    const started = Date.now();
    for (let n = 0; n < EVENTS; n += 500) {
      const batch = Array.from({ length: Math.min(500, EVENTS - n) }, (_, i) => probe(n + i));
      ({ position } = await test.eventLog.append(`probe-s${(n / 500) % 200}`, batch, {
        expectedRevision: 'any',
      }));
    }
    ({ position } = await seedSampleHistory(test));
    await caughtUp(test, position, 3_600_000);
    console.log(`seeded ${EVENTS} events in ${Math.round((Date.now() - started) / 1000)} s`);
    const session = await test.token('rita', ['regulator'], '24h');
    const time = async (path: string) => {
      const took: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const at = performance.now();
        const response = await test
          .anonymous()
          .get(path)
          .set('Cookie', `attest_session=${session}`);
        if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
        took.push(performance.now() - at);
      }
      took.sort((a, b) => a - b);
      console.log(
        `${path}: median ${Math.round(took[took.length >> 1])} ms, max ${Math.round(took[took.length - 1])} ms`,
      );
    };
    await time('/console/ledger');
    await time('/console/ledger?stream=probe-s7');
    await time('/console/ledger?type=ModelVersionRegistered');
    await time('/console/ledger?actor=actor-7');
    await time('/console/ledger?actor=carol');
    await time('/console/ledger?from=2026-02-01T00:00&to=2026-02-02T00:00');
    await time('/console/ledger?before=50000');
    await time('/console/verify');
    await time('/console/ledger/verification');
  } finally {
    await test.close();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
