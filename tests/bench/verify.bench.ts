/**
 * The rate of `GET /ledger/verify` (hash chains, integrity tree, checkpoints, the tables of the
 * integrity log) over `BENCH_EVENTS` (default 30k) events appended to the log in batches of
 * 100, with a signed checkpoint every 1000 events. PostgreSQL when DATABASE_URL is set, embedded
 * PGlite otherwise. Run: `npx ts-node --transpile-only tests/bench/verify.bench.ts`, or after a
 * build `node --experimental-vm-modules dist/tests/bench/verify.bench.js`.
 */
import { newEvents, settled } from '../support/events';
import { startTestApp } from '../support/test-app';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 30_000);

async function main(): Promise<void> {
  const test = await startTestApp({ env: { CHECKPOINT_EVERY_EVENTS: '1000' } });
  try {
    let position = '';
    for (let at = 0; at < EVENTS; at += 100) {
      ({ position } = await test.eventLog.append(`bench-verify-${at % 997}`, newEvents(100), {
        expectedRevision: 'any',
      }));
    }
    await settled(test.eventLog, position);
    if (!(await test.runner.waitFor(position, 30 * 60_000))) throw new Error('projections behind');
    for (let round = 0; round < 3; round++) {
      const started = process.hrtime.bigint();
      const report = (await test.http().get('/api/v1/ledger/verify').expect(200)).body as {
        ok: boolean;
        eventsChecked: number;
        tree: { checkpointsChecked: number };
      };
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(
        `GET /ledger/verify: ${report.eventsChecked} events, ${report.tree.checkpointsChecked} checkpoints in ${seconds.toFixed(2)} s: ${(report.eventsChecked / seconds).toFixed(0)} events/s, ok=${report.ok}`,
      );
    }
  } finally {
    await test.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
