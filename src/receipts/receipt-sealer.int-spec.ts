import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG } from '../config/app-config';
import { CLOCK } from '../ledger/clock';
import { StreamWriter } from '../ledger/commands/stream-writer';
import { EVENT_LOG } from '../ledger/event-log.port';
import { streams } from '../ledger/stream-names';
import type { JsonObject } from '../ledger/event-log.port';
import type { PredictionBatchRecorded } from '../predictions/prediction.events';
import { receiptHash } from '../serving/decision-receipt';
import { ReceiptSealer, SEAL_LOCK_NAMESPACE } from './receipt-sealer';
import { ReceiptTree } from './receipt-tree';
import { ReceiptWriter } from './receipt-writer';
import {
  RECEIPT_DEPLOYMENT,
  TEST_BINNING,
  seedDeployment,
  testReceipt,
} from '../../tests/support/receipts';
import {
  createTestDatabase,
  storeKinds,
  type TestDatabase,
} from '../../tests/support/test-database';
import { TestApp, startTestApp } from '../../tests/support/test-app';

type Sealed = PredictionBatchRecorded['data'];

/** Sealing by hand: neither trigger set, so no pass runs unless a test calls one. */
const MANUAL = { SEAL_EVERY_RECEIPTS: '0', SEAL_INTERVAL_MS: '0' };

/** The batch's events; none when its stream does not exist. */
async function sealedEvent(test: TestApp, batchId: string) {
  return test.eventLog.readStream(streams.predictionBatch(batchId)).catch((error: Error) => {
    if (error.name === 'StreamNotFound') return [];
    throw error;
  });
}

async function receiptRows(db: DataSource, ids: string[]) {
  return (await db.query(
    `SELECT receipt_id, receipt_hash, batch_id, leaf_index FROM decision_receipts
      WHERE receipt_id = ANY($1::uuid[]) ORDER BY seq`,
    [ids],
  )) as { receipt_id: string; receipt_hash: string; batch_id: string | null; leaf_index: number }[];
}

describe.each(storeKinds())('ReceiptSealer on %s', (kind) => {
  describe('driven by hand', () => {
    let test: TestApp;
    let writer: ReceiptWriter;
    let sealer: ReceiptSealer;
    let db: DataSource;
    let n = 0;
    const write = async (count: number, deploymentId = RECEIPT_DEPLOYMENT, version = '1.0.0') => {
      const receipts = Array.from({ length: count }, () =>
        testReceipt(n++, { deploymentId, version }),
      );
      await Promise.all(receipts.map((receipt) => writer.write([receipt])));
      return receipts;
    };

    beforeAll(async () => {
      test = await startTestApp({ kind, env: MANUAL });
      writer = test.app.get(ReceiptWriter);
      sealer = test.app.get(ReceiptSealer);
      db = test.app.get(DataSource);
      await seedDeployment(test.eventLog);
    });
    afterAll(() => test?.close());

    it('seals waiting receipts into one PredictionBatchRecorded whose Merkle root covers them in write order', async () => {
      const receipts = await write(7);
      const sealed = await sealer.seal({ all: true });
      expect(sealed).toHaveLength(1);
      const [batch] = sealed;
      const rows = await receiptRows(
        db,
        receipts.map((r) => r.receipt.receiptId),
      );
      expect(rows.map((row) => [row.batch_id, row.leaf_index])).toEqual(
        rows.map((_, i) => [batch.batchId, i]),
      );
      const [event] = await sealedEvent(test, batch.batchId);
      expect(event.id).toBe(batch.eventId);
      const data = event.data as unknown as Sealed;
      const root = new ReceiptTree(rows.map((row) => row.receipt_hash)).root();
      expect(data.receipts).toEqual({
        root,
        count: 7,
        firstReceiptId: rows[0].receipt_id,
        lastReceiptId: rows[6].receipt_id,
        onnxruntimeVersion: '1.23.2',
        artifactDigest: receipts[0].receipt.artifactDigest,
      });
      expect(rows.map((row) => row.receipt_hash)).toEqual(
        rows.map((row) =>
          receiptHash(receipts.find((r) => r.receipt.receiptId === row.receipt_id)!.receipt),
        ),
      );
      expect(data.count).toBe(7);
      expect(Date.parse(data.window.from)).toBeLessThan(Date.parse(data.window.to));
      const positives = receipts.filter((r) => r.receipt.decision === 'positive').length;
      expect(data.outputDistribution).toEqual({ positive: positives, negative: 7 - positives });
      expect(data.decisions).toEqual({ automated: 7, referred: 0 });
      expect(data.recordedBy).toBe('attest:receipt-sealer');
      expect(data.inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      // Bins against the binning the receipts were written with: its edges, counts summing up.
      const bins = data.bins!;
      expect(bins.baseline).toEqual({ source: 'fixed', id: null });
      expect(bins.score.edges).toEqual(TEST_BINNING.score);
      expect(bins.score.counts.reduce((a, b) => a + b, 0)).toBe(7);
      const scoreCounts = new Array<number>(10).fill(0);
      for (const r of receipts) scoreCounts[r.summary.scoreBin]++;
      expect(bins.score.counts).toEqual(scoreCounts);
      const employment = bins.features.find((f) => f.feature === 'employment')!;
      expect(employment.categories).toEqual(['salaried', 'self-employed']);
      const missing = receipts.filter((r) => r.summary.featureBins.employment === null).length;
      expect(employment.missing).toBe(missing);
      expect(employment.counts.reduce((a, b) => a + b, 0)).toBe(7 - missing);
      expect(data.featureSummaries).toEqual([
        { feature: 'annual_income', mean: null, stddev: null, missing: 0 },
        { feature: 'employment', mean: null, stddev: null, missing },
      ]);
      expect(data.latencyMs.p50).toBeLessThanOrEqual(data.latencyMs.p99);
      // Nothing waits any more: another pass seals nothing.
      expect(await sealer.seal({ all: true })).toEqual([]);
    });

    it('finishes a batch assigned before a crash (phase 1 done, no event) with the same id, once', async () => {
      const receipts = await write(3);
      const [key] = (await db.query(
        'SELECT DISTINCT seal_key FROM decision_receipts WHERE batch_id IS NULL',
      )) as { seal_key: string }[];
      const batchId = await sealer.assign(key.seal_key, 100);
      expect(batchId).not.toBeNull();
      // The process stops here: the batch is assigned, nothing is in the ledger.
      expect(await sealer.assignedBatches()).toEqual([batchId]);
      expect(await sealedEvent(test, batchId!)).toEqual([]);

      const [recorded] = await sealer.seal();
      expect(recorded.batchId).toBe(batchId);
      expect(await sealer.assignedBatches()).toEqual([]);
      const rows = await receiptRows(
        db,
        receipts.map((r) => r.receipt.receiptId),
      );
      expect(rows.every((row) => row.batch_id === batchId)).toBe(true);

      // Crash after the append, before the batch was marked: the repeat appends nothing.
      await db.query(`UPDATE receipt_batches SET status = 'assigned' WHERE batch_id = $1`, [
        batchId,
      ]);
      const [again] = await sealer.seal();
      expect(again.eventId).toBe(recorded.eventId);
      expect(await sealedEvent(test, batchId!)).toHaveLength(1);
    });

    it('records a batch whose version was rolled back meanwhile: a receipt handed out is never lost', async () => {
      await write(2);
      const id = uuidv7();
      await test.eventLog.append(
        streams.deployment(RECEIPT_DEPLOYMENT),
        [
          {
            id,
            type: 'DeploymentRolledBack',
            data: {
              deploymentId: RECEIPT_DEPLOYMENT,
              model: 'credit-risk',
              environment: 'staging',
              fromVersion: '1.0.0',
              toVersion: null,
              reason: 'test',
              automatic: false,
              rolledBackBy: 'rick',
              rolledBackAt: '2026-01-06T00:00:00.000Z',
            } as JsonObject,
            metadata: {
              schemaVersion: 1,
              occurredAt: '2026-01-06T00:00:00.000Z',
              actor: { sub: 'rick', roles: ['risk-manager'] },
              correlationId: id,
              causationId: id,
            },
          },
        ],
        { expectedRevision: 'any' },
      );
      const sealed = await sealer.seal({ all: true });
      expect(sealed.map((batch) => batch.count)).toEqual([2]);
      await seedDeployment(test.eventLog);
    });

    it('leaves a batch the ledger refuses assigned, and seals the others meanwhile', async () => {
      const unknown = 'fraud-score.staging';
      await write(2, unknown);
      await write(3);
      const sealed = await sealer.seal({ all: true });
      expect(sealed.map((batch) => batch.count)).toEqual([3]);
      const [stuck] = await sealer.assignedBatches();
      expect(stuck).toBeDefined();
      // Once the deployment is recorded, the next pass finishes it first.
      await seedDeployment(test.eventLog, '1.0.0', unknown);
      const [finished] = await sealer.seal();
      expect(finished).toMatchObject({ batchId: stuck, count: 2 });
      expect(await sealer.assignedBatches()).toEqual([]);
    });

    it('keeps receipts of different versions apart, one batch each', async () => {
      await seedDeployment(test.eventLog, '2.0.0');
      await write(2, RECEIPT_DEPLOYMENT, '1.0.0');
      await write(3, RECEIPT_DEPLOYMENT, '2.0.0');
      const sealed = await sealer.seal({ all: true });
      expect(sealed.map((batch) => batch.count).sort()).toEqual([2, 3]);
      for (const batch of sealed) {
        const [event] = await sealedEvent(test, batch.batchId);
        expect((event.data as unknown as Sealed).version).toBe(
          batch.count === 2 ? '1.0.0' : '2.0.0',
        );
      }
    });
  });

  describe('by count', () => {
    let test: TestApp;
    beforeAll(async () => {
      test = await startTestApp({ kind, env: { SEAL_EVERY_RECEIPTS: '4', SEAL_INTERVAL_MS: '0' } });
      await seedDeployment(test.eventLog);
    });
    afterAll(() => test?.close());

    it('seals every SEAL_EVERY_RECEIPTS receipts, whole batches only', async () => {
      const writer = test.app.get(ReceiptWriter);
      await Promise.all(Array.from({ length: 10 }, (_, i) => writer.write([testReceipt(i)])));
      await test.app.get(ReceiptSealer).seal();
      const batches = (await test.app
        .get(DataSource)
        .query(`SELECT count, status FROM receipt_batches ORDER BY first_seq`)) as {
        count: number;
        status: string;
      }[];
      expect(batches).toEqual([
        { count: 4, status: 'recorded' },
        { count: 4, status: 'recorded' },
      ]);
      const [{ waiting }] = (await test.app
        .get(DataSource)
        .query(
          'SELECT count(*)::int AS waiting FROM decision_receipts WHERE batch_id IS NULL',
        )) as {
        waiting: number;
      }[];
      expect(waiting).toBe(2);
    });
  });

  describe('by time', () => {
    let test: TestApp;
    beforeAll(async () => {
      test = await startTestApp({
        kind,
        env: { SEAL_EVERY_RECEIPTS: '0', SEAL_INTERVAL_MS: '50' },
      });
      await seedDeployment(test.eventLog);
    });
    afterAll(() => test?.close());

    it('seals what waits SEAL_INTERVAL_MS after it was written, on its own', async () => {
      const writer = test.app.get(ReceiptWriter);
      await writer.write([testReceipt(1), testReceipt(2), testReceipt(3)]);
      const db = test.app.get(DataSource);
      const deadline = Date.now() + 20_000;
      let batches: { count: number; status: string }[] = [];
      while (Date.now() < deadline) {
        batches = (await db.query('SELECT count, status FROM receipt_batches')) as typeof batches;
        if (batches.length > 0 && batches.every((b) => b.status === 'recorded')) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(batches).toEqual([{ count: 3, status: 'recorded' }]);
    });
  });

  describe('two sealers on one database', () => {
    let database: TestDatabase | undefined;
    let apps: TestApp[] = [];
    let sealers: ReceiptSealer[] = [];
    beforeAll(async () => {
      const env = { SEAL_EVERY_RECEIPTS: '5', SEAL_INTERVAL_MS: '0' };
      if (kind === 'postgres') {
        // Two replicas, one after the other: the first migrates the database.
        database = await createTestDatabase(kind);
        apps.push(await startTestApp({ kind, database, env }));
        apps.push(await startTestApp({ kind, database, env }));
        sealers = apps.map((app) => app.app.get(ReceiptSealer));
      } else {
        // The embedded store serves one process: two sealers in it, each on its own.
        apps.push(await startTestApp({ kind, env }));
        const app = apps[0].app;
        sealers = [
          app.get(ReceiptSealer),
          new ReceiptSealer(
            app.get(DataSource),
            app.get(StreamWriter),
            app.get(EVENT_LOG),
            app.get(APP_CONFIG),
            app.get(CLOCK),
          ),
        ];
      }
      await seedDeployment(apps[0].eventLog);
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      apps = [];
      await database?.close();
    });

    it('seal each receipt exactly once when they race', async () => {
      const receipts = Array.from({ length: 52 }, (_, i) => testReceipt(i));
      await Promise.all(
        receipts.map((receipt, i) => apps[i % apps.length].app.get(ReceiptWriter).write([receipt])),
      );
      await Promise.all([
        sealers[0].seal(),
        sealers[1].seal(),
        sealers[0].seal(),
        sealers[1].seal(),
      ]);
      const db = apps[0].app.get(DataSource);
      // A pass that finds a key locked by the other process leaves it to that one, whose pass
      // may still be under way (or may itself have met the lock): pass again until every full
      // batch is recorded. Racing or not, no receipt may be sealed twice (below).
      const pending = async () => {
        const [row] = (await db.query(
          `SELECT (SELECT count(*)::int FROM decision_receipts WHERE batch_id IS NULL) AS waiting,
                  (SELECT count(*)::int FROM receipt_batches WHERE status = 'assigned') AS assigned`,
        )) as { waiting: number; assigned: number }[];
        return row.waiting >= 5 || row.assigned > 0;
      };
      for (let round = 0; round < 20 && (await pending()); round++)
        await Promise.all(sealers.map((sealer) => sealer.seal()));
      const rows = await receiptRows(
        db,
        receipts.map((r) => r.receipt.receiptId),
      );
      const sealed = rows.filter((row) => row.batch_id !== null);
      expect(sealed).toHaveLength(50);
      const batches = (await db.query(
        `SELECT batch_id, count, root, status FROM receipt_batches`,
      )) as { batch_id: string; count: number; root: string; status: string }[];
      expect(batches).toHaveLength(10);
      for (const batch of batches) {
        expect(batch.status).toBe('recorded');
        const leaves = sealed.filter((row) => row.batch_id === batch.batch_id);
        expect(leaves.map((row) => row.leaf_index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
        const events = await apps[apps.length - 1].eventLog.readStream(
          streams.predictionBatch(batch.batch_id),
        );
        expect(events).toHaveLength(1);
        expect((events[0].data as unknown as Sealed).receipts!.root).toBe(batch.root);
      }
    });
  });
});

// PostgreSQL only: the embedded store serves one session, where an advisory lock never waits.
if (process.env.DATABASE_URL) {
  describe('ReceiptSealer on postgres: the lock per seal key', () => {
    let test: TestApp;
    beforeAll(async () => {
      test = await startTestApp({ kind: 'postgres', env: MANUAL });
      await seedDeployment(test.eventLog);
    });
    afterAll(() => test?.close());

    it('assigns nothing while another process holds the key, then the whole batch', async () => {
      await test.app.get(ReceiptWriter).write([testReceipt(1), testReceipt(2), testReceipt(3)]);
      const db = test.app.get(DataSource);
      const [{ seal_key: key }] = (await db.query(
        'SELECT DISTINCT seal_key FROM decision_receipts WHERE batch_id IS NULL',
      )) as { seal_key: string }[];
      const other = new Client({ connectionString: test.database!.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('SELECT pg_advisory_xact_lock($1::int4, $2::int4)', [
          SEAL_LOCK_NAMESPACE,
          createHash('sha256').update(key).digest().readInt32BE(0),
        ]);
        const sealer = test.app.get(ReceiptSealer);
        expect(await sealer.assign(key, 100)).toBeNull();
        await other.query('COMMIT');
        const batchId = await sealer.assign(key, 100);
        expect(batchId).not.toBeNull();
        const [{ count }] = (await db.query(
          'SELECT count FROM receipt_batches WHERE batch_id = $1',
          [batchId],
        )) as { count: number }[];
        expect(count).toBe(3);
      } finally {
        await other.end();
      }
    });
  });
}
