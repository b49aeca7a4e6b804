import { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/canonical-json';
import { receiptHash } from '../serving/decision-receipt';
import { ReceiptWriter } from './receipt-writer';
import { storeKinds } from '../../tests/support/test-database';
import { TestApp, startTestApp } from '../../tests/support/test-app';
import { testReceipt } from '../../tests/support/receipts';

describe.each(storeKinds())('ReceiptWriter on %s', (kind) => {
  let test: TestApp;
  let writer: ReceiptWriter;
  let db: DataSource;

  beforeAll(async () => {
    test = await startTestApp({ kind });
    writer = test.app.get(ReceiptWriter);
    db = test.app.get(DataSource);
  });
  afterAll(() => test?.close());

  it('stores concurrent writes with one statement, each in order, each caller answered once stored', async () => {
    const before = { ...writer.stats };
    const writes = Array.from({ length: 40 }, (_, i) => [
      testReceipt(2 * i),
      testReceipt(2 * i + 1),
    ]);
    await Promise.all(writes.map((receipts) => writer.write(receipts)));
    // 80 rows from 40 callers in the same turn of the event loop: one INSERT (two at most, when
    // the first was already running as the others arrived).
    expect(writer.stats.rows - before.rows).toBe(80);
    expect(writer.stats.statements - before.statements).toBeLessThanOrEqual(2);

    const ids = writes.flat().map((w) => w.receipt.receiptId);
    const rows = (await db.query(
      `SELECT receipt_id, receipt, receipt_hash, score, score_bin, feature_bins, latency_ms,
              batch_id, binning_digest
         FROM decision_receipts WHERE receipt_id = ANY($1::uuid[]) ORDER BY seq`,
      [ids],
    )) as {
      receipt_id: string;
      receipt: string;
      receipt_hash: string;
      score: number;
      score_bin: number;
      batch_id: string | null;
    }[];
    expect(rows.map((row) => row.receipt_id)).toEqual(ids);
    for (const [index, row] of rows.entries()) {
      const written = writes.flat()[index];
      // What is stored hashes to what was hashed when written: the proof rests on it.
      // The receipt is kept as its canonical JSON text, the very bytes its hash covers.
      expect(row.receipt).toBe(canonicalJson(written.receipt));
      expect(createHash('sha256').update(row.receipt).digest('hex')).toBe(row.receipt_hash);
      expect(row.receipt_hash).toBe(receiptHash(written.receipt));
      expect(row.score).toBe(written.receipt.outputs.score);
      expect(row.score_bin).toBe(written.summary.scoreBin);
      expect(row.batch_id).toBeNull();
    }
    const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM receipt_binnings')) as {
      n: number;
    }[];
    expect(n).toBe(1);
  });

  it('stores text with quotes, backslashes, commas, braces and the word NULL as it was written', async () => {
    const odd = testReceipt(3000, { version: 'NULL' });
    odd.receipt.model = 'a "quoted", {braced} \\ back\\slashed model';
    odd.receipt.deploymentId = 'a "quoted", {braced} \\ back\\slashed deployment';
    odd.receipt.label = 'NULL';
    odd.receipt.requestId = '}{,"\\';
    await writer.write([odd, testReceipt(3001)]);
    const [row] = (await db.query(
      `SELECT deployment_id, version, receipt, receipt_hash FROM decision_receipts
        WHERE receipt_id = $1`,
      [odd.receipt.receiptId],
    )) as { deployment_id: string; version: string; receipt: string; receipt_hash: string }[];
    expect(row).toEqual({
      deployment_id: odd.receipt.deploymentId,
      version: 'NULL',
      receipt: canonicalJson(odd.receipt),
      receipt_hash: receiptHash(odd.receipt),
    });
  });

  it('rejects every caller of a failed statement and stores none of its rows', async () => {
    const good = testReceipt(1000);
    const duplicate = testReceipt(1001);
    await writer.write([duplicate]);
    const results = await Promise.allSettled([writer.write([good]), writer.write([duplicate])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const rows = (await db.query('SELECT 1 FROM decision_receipts WHERE receipt_id = $1', [
      good.receipt.receiptId,
    ])) as unknown[];
    expect(rows).toHaveLength(0);
    // The writer goes on: the next write stands alone.
    await writer.write([good]);
  });

  it('refuses a receipt whose score is not a number before anything is sent', async () => {
    const bad = testReceipt(2000, { score: Number.NaN });
    await expect(writer.write([bad])).rejects.toThrow(/finite/);
  });
});
