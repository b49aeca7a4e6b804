/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DevIssuer } from '../../src/auth/dev-issuer';
import { DEV_ISSUER, loadConfig } from '../../src/config/app-config';
import { startEmbedded } from '../../src/ledger/database/database-handle';
import type { ReceiptProof } from '../../src/receipts/receipt-proofs';
import { HttpClient, freePort } from '../chaos/service';
import { runScript } from '../support/cli';
import {
  creditRunBody,
  registerStoredDataset,
  registerStoredVersion,
  runEvaluation,
} from '../support/evaluation-setup';
import {
  FEATURE_ORDER,
  creditDatasetCsv,
  creditRows,
  logisticRegressionModel,
} from '../support/onnx';
import { PASSING_SAMPLE } from '../support/service-evaluation-fixture';
import { startTestApp } from '../support/test-app';
import { type TestDatabase, createTestDatabase, storeKinds } from '../support/test-database';
import { builtEntry } from '../support/test-build';

const ROOT = join(__dirname, '../..');
const DEPLOYMENT = 'credit-risk.staging';

/** The service as its own process on DATA_DIR, from the sources (no build needed). */
class Service {
  readonly child: ChildProcess;
  stderr = '';

  constructor(dataDir: string, port: number, env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      // The sources compiled once for the suites (tests/support/test-build.ts).
      [builtEntry('src/main.ts')],
      {
        cwd: ROOT,
        // Only what it needs: not the test run's store, NODE_ENV or jest's variables.
        env: {
          PATH: process.env.PATH ?? '',
          DATA_DIR: dataDir,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          RATE_LIMIT_PER_MINUTE: '0',
          RATE_LIMIT_SCORING_PER_MINUTE: '0',
          SERVING_WORKERS: '1',
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8000);
    });
  }

  async ready(http: HttpClient, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the service exited before it was ready:\n${this.stderr}`);
      }
      const answer = await http
        .call('GET', '/api/v1/health/ready', { timeoutMs: 2000 })
        .catch(() => undefined);
      if (answer?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the service was not ready within ${timeoutMs} ms:\n${this.stderr}`);
  }

  async signal(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

/**
 * Runs `work` on the store while no service holds it: the PostgreSQL database, or the embedded
 * store under dataDir.
 */
async function withStore(
  dataDir: string,
  database: TestDatabase | undefined,
  work: (sql: Client) => Promise<void>,
): Promise<void> {
  const store = database ? undefined : await startEmbedded(dataDir);
  const sql = new Client({ connectionString: database?.url ?? store?.url });
  await sql.connect();
  try {
    await work(sql);
  } finally {
    await sql.end();
    await store?.close();
  }
}

/**
 * A receipt handed to a caller is never lost (README, "Decision receipts"): the service answers
 * predictions with sealing off, is killed with SIGKILL mid-traffic, and once started again with
 * sealing on, every receipt it answered is sealed into exactly one recorded batch and its proof
 * verifies offline.
 */
describe.each(storeKinds())('kill -9 between answering and sealing, on %s', (kind) => {
  let dataDir: string;
  let service: Service | undefined;
  let http: HttpClient;
  let database: TestDatabase | undefined;
  /** The service's store: the PostgreSQL database, when there is one. */
  const store = (): Record<string, string> => (database ? { DATABASE_URL: database.url } : {});

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'attest-receipts-kill-'));
    // The deployment, set up in this process on the same data directory, then closed.
    if (kind === 'postgres') database = await createTestDatabase('postgres');
    const test = await startTestApp({
      kind,
      database,
      env: { DATA_DIR: dataDir, SERVING_WORKERS: '1' },
    });
    try {
      const people = {
        pipe: `Bearer ${await test.token('pipe', ['pipeline'])}`,
        tess: `Bearer ${await test.token('tess', ['data-scientist'])}`,
        rick: `Bearer ${await test.token('rick', ['risk-manager'])}`,
      };
      await registerStoredDataset(test, people.pipe, {
        name: 'credit-holdout',
        version: '2026-03',
        csv: creditDatasetCsv(PASSING_SAMPLE),
        rows: PASSING_SAMPLE.rows,
      });
      await registerStoredVersion(
        test,
        { scientist: people.tess, pipeline: people.pipe },
        {
          model: 'credit-risk',
          version: '1.0.0',
          artifact: Buffer.from(logisticRegressionModel()),
          trainedOn: { name: 'credit-holdout', version: '2026-03' },
        },
      );
      const run = await runEvaluation<{ status: string }>(
        test,
        { requester: people.tess, reader: people.tess },
        { name: 'credit-risk', version: '1.0.0' },
        creditRunBody({ name: 'credit-holdout', version: '2026-03' }, { environment: 'staging' }),
      );
      expect(run.status).toBe('succeeded');
      await test
        .anonymous()
        .post('/api/v1/deployments')
        .set('Authorization', people.rick)
        .send({ model: 'credit-risk', version: '1.0.0', environment: 'staging', strategy: 'full' })
        .expect(201);
    } finally {
      await test.close();
    }
    http = new HttpClient(await freePort(), 16);
  }, 180_000);

  afterAll(async () => {
    await service?.signal('SIGKILL');
    http?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await database?.close();
  });

  it('seals every answered receipt exactly once after a restart, and its proof verifies', async () => {
    const issuer = await DevIssuer.open(dataDir, DEV_ISSUER, loadConfig({}).auth.audience);
    const app = await issuer.sign({ sub: 'loan-origination', roles: ['scoring'] }, '1h');
    const rows = [...creditRows({ seed: 11, rows: 400 })].map((row) =>
      Object.fromEntries(FEATURE_ORDER.map((name) => [name, row[name]])),
    );

    // Sealing off: nothing answered is sealed before the kill.
    service = new Service(dataDir, http.port, {
      ...store(),
      SEAL_INTERVAL_MS: '0',
      SEAL_EVERY_RECEIPTS: '1000000',
    });
    await service.ready(http);
    const answered: string[] = [];
    let stop = false;
    let request = 0;
    const client = async () => {
      while (!stop) {
        const n = request++;
        const answer = await http
          .call('POST', `/api/v1/deployments/${DEPLOYMENT}/predict`, {
            token: app,
            body: {
              requestId: `kill-${n}`,
              rows: [rows[n % rows.length], rows[(n + 1) % rows.length]],
            },
            timeoutMs: 10_000,
          })
          .catch(() => undefined);
        if (!answer) return; // the connection was cut by the kill
        expect(answer.status).toBe(200);
        for (const p of (answer.body as { predictions: { receiptId: string }[] }).predictions) {
          answered.push(p.receiptId);
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    // Killed mid-traffic, once a good number of receipts were handed out.
    while (answered.length < 300) await new Promise((resolve) => setTimeout(resolve, 10));
    await service.signal('SIGKILL');
    stop = true;
    await Promise.all(clients);
    const handedOut = [...answered];
    expect(handedOut.length).toBeGreaterThanOrEqual(300);
    // As the kill left the store: every receipt handed out is stored, none is sealed.
    await withStore(dataDir, database, async (sql) => {
      const stored = await sql.query<{ n: string; sealed: string }>(
        `SELECT count(*) AS n, count(batch_id) AS sealed FROM decision_receipts
          WHERE receipt_id = ANY($1::uuid[])`,
        [handedOut],
      );
      expect(stored.rows[0]).toEqual({ n: String(handedOut.length), sealed: '0' });
    });

    // Started again with sealing on: the receipts waiting are sealed by time.
    service = new Service(dataDir, http.port, {
      ...store(),
      SEAL_INTERVAL_MS: '50',
      SEAL_EVERY_RECEIPTS: '1000',
    });
    await service.ready(http);
    // The caller's view: the receipts it was handed show as sealed (the last one answered, then
    // a sample of the others; the store is checked for every one below).
    const proofOf = async (id: string) => {
      const answer = await http.call('GET', `/api/v1/receipts/${id}`, { token: app });
      expect(answer.status).toBe(200);
      return answer.body as ReceiptProof;
    };
    const deadline = Date.now() + 60_000;
    let last = await proofOf(handedOut[handedOut.length - 1]);
    while (last.status !== 'sealed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      last = await proofOf(handedOut[handedOut.length - 1]);
    }
    expect(last.status).toBe('sealed');
    const step = Math.floor(handedOut.length / 10);
    for (let i = 0; i < handedOut.length; i += step) {
      expect((await proofOf(handedOut[i])).status).toBe('sealed');
    }
    const sample = await proofOf(handedOut[0]);
    // The proof of a receipt handed out before the kill verifies offline.
    const file = join(dataDir, 'receipt.json');
    await writeFile(file, JSON.stringify(sample));
    const verified = await runScript('src/cli/verify.ts', {}, [file]);
    expect(verified.stdout).toContain('VERIFIED');
    expect(verified.code).toBe(0);
    await service.signal('SIGTERM');
    service = undefined;

    // The store as the service left it: each receipt in one batch, each batch one event.
    await withStore(dataDir, database, async (sql) => {
      const receipts = await sql.query<{ receipt_id: string; batch_id: string | null }>(
        'SELECT receipt_id, batch_id FROM decision_receipts WHERE receipt_id = ANY($1::uuid[])',
        [handedOut],
      );
      expect(receipts.rows).toHaveLength(handedOut.length);
      expect(receipts.rows.filter((row) => row.batch_id === null)).toEqual([]);
      const batches = await sql.query<{ batch_id: string; count: number; status: string }>(
        'SELECT batch_id, count, status FROM receipt_batches',
      );
      expect(batches.rows.every((batch) => batch.status === 'recorded')).toBe(true);
      const events = await sql.query<{ stream: string; n: string; count: string }>(
        `SELECT stream, count(*) AS n, sum((data->>'count')::int) AS count FROM ledger_events
          WHERE type = 'PredictionBatchRecorded' GROUP BY stream`,
      );
      // One event per batch; together they count every receipt stored, each once.
      expect(events.rows.every((row) => row.n === '1')).toBe(true);
      expect(events.rows.map((row) => row.stream).sort()).toEqual(
        batches.rows.map((batch) => `prediction-batch-${batch.batch_id}`).sort(),
      );
      const [{ sealed, total }] = (
        await sql.query<{ sealed: string; total: string }>(
          'SELECT count(batch_id) AS sealed, count(*) AS total FROM decision_receipts',
        )
      ).rows;
      expect(sealed).toBe(total);
      expect(events.rows.reduce((sum, row) => sum + Number(row.count), 0)).toBe(Number(total));
    });
  }, 300_000);
});
