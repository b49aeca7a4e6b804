/**
 * Grouped receipt inserts (README, "Decision receipts"): `concurrency` callers each writing one
 * receipt at a time, as single-row predictions do, on the embedded store and on PostgreSQL
 * (DATABASE_URL). Prints rows/s, statements and rows per statement.
 *
 *   node -r ts-node/register/transpile-only tests/bench/receipt-writes.bench.ts [rows] [concurrency]
 */
import { DataSource } from 'typeorm';
import { migrate } from '../../src/ledger/database/migrate';
import { startEmbedded, connectToServer } from '../../src/ledger/database/database-handle';
import { ReceiptWriter } from '../../src/receipts/receipt-writer';
import { scratchDatabase } from '../support/test-database';
import { testReceipt } from '../support/receipts';

async function run(kind: string, url: string, rows: number, concurrency: number) {
  await migrate(url);
  const db = new DataSource({ type: 'postgres', url, extra: { max: 10 } });
  await db.initialize();
  const writer = new ReceiptWriter(db);
  const receipts = Array.from({ length: rows }, (_, i) => testReceipt(i));
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < receipts.length) await writer.write([receipts[next++]]);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { statements } = writer.stats;
  console.log(
    `${kind}: ${rows} receipts from ${concurrency} callers in ${seconds.toFixed(2)} s: ${Math.round(rows / seconds)} rows/s, ${statements} statements (${(rows / statements).toFixed(1)} rows each)`,
  );
  await db.destroy();
}

async function main() {
  const rows = Number(process.argv[2] ?? 20_000);
  const concurrency = Number(process.argv[3] ?? 16);
  const embedded = await startEmbedded('memory://');
  try {
    await run('embedded', embedded.url, rows, concurrency);
  } finally {
    await embedded.close();
  }
  if (process.env.DATABASE_URL) {
    const scratch = await scratchDatabase(process.env.DATABASE_URL, 'attest_bench');
    try {
      await run('postgres', connectToServer(scratch.url).url, rows, concurrency);
    } finally {
      await scratch.drop();
    }
  }
}

void main();
