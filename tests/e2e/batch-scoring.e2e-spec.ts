/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Role } from '../../src/auth/roles';
import { DATABASE_HANDLE, type DatabaseHandle } from '../../src/ledger/database/database-handle';
import { canaryArm } from '../../src/serving/canary';
import { ReceiptSealer } from '../../src/receipts/receipt-sealer';
import { BatchScoringRunner, CHUNK_ROWS } from '../../src/serving/batch/batch-scoring-runner';
import { registerStoredDataset, registerStoredVersion } from '../support/evaluation-setup';
import {
  CREDIT_COLUMNS,
  FEATURE_ORDER,
  type CreditRow,
  creditDatasetCsv,
  creditRows,
  logisticRegressionModel,
  logisticRegressionScore,
  treeEnsembleModel,
} from '../support/onnx';
import { recordServiceRun } from '../support/service-evaluations';
import { TestApp, startTestApp } from '../support/test-app';
import { createTestDatabase, defaultStoreKind } from '../support/test-database';

const API = '/api/v1';
const PROBLEM = /^application\/problem\+json/;
const MODEL = 'credit-risk';
const DEPLOYMENT = `${MODEL}.staging`;
const DATASET = 'credit-train';
const ROWS = 5_000;
/** Large enough for the suite's CSVs, small enough to refuse a 1.1 MB upload. */
const MAX_BYTES = 1_000_000;

type JobView = {
  id: string;
  deploymentId: string;
  version: string;
  arm: string;
  artifactDigest: string;
  requestId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: { rowsScored: number; rowsTotal: number; percent: number };
  counts: { positive: number; negative: number };
  error: string | null;
  errorField: string | null;
  requestedBy: string;
  links: { self: string; result: string | null; deployment: string; modelVersion: string };
};

/** The credit rows with an application id, which the jobs name as their subject column. */
function applicationsCsv(rows: CreditRow[], change?: (line: string[], index: number) => void) {
  const header = ['application_id', ...CREDIT_COLUMNS];
  const lines = rows.map((row, index) => {
    const line = [`APP-${100_000 + index}`, ...CREDIT_COLUMNS.map((column) => String(row[column]))];
    change?.(line, index);
    return line.join(',');
  });
  return `${header.join(',')}\n${lines.join('\n')}\n`;
}

/**
 * MODEL@version trained on the stored credit dataset, its artifact stored, and a passing
 * evaluation by Attest in staging naming the columns of its [N, 4] input. Returns its digest.
 */
async function storeEvaluatedVersion(
  test: TestApp,
  people: Record<string, string>,
  version: string,
  artifact: Uint8Array,
): Promise<string> {
  const digest = await registerStoredVersion(
    test,
    { scientist: people.tess, pipeline: people.pipe },
    {
      model: MODEL,
      version,
      artifact: Buffer.from(artifact),
      trainedOn: { name: DATASET, version: '2026-03' },
    },
  );
  await recordServiceRun(test.eventLog, {
    model: MODEL,
    version,
    environment: 'staging',
    artifactDigest: digest,
  });
  return digest;
}

/**
 * The deployment the suites score with: credit-risk@1.0.0 (the LR fixture) trained on a stored
 * credit dataset, its artifact stored, a passing evaluation by Attest in staging naming the
 * columns of its [N, 4] input, deployed to staging by a risk manager. Returns the artifact digest.
 */
async function deployCreditModel(test: TestApp, people: Record<string, string>): Promise<string> {
  await registerStoredDataset(test, people.pipe, {
    name: DATASET,
    version: '2026-03',
    csv: creditDatasetCsv({ seed: 3, rows: 50 }),
    rows: 50,
  });
  const digest = await storeEvaluatedVersion(test, people, '1.0.0', logisticRegressionModel());
  const deployed = await test
    .anonymous()
    .post(`${API}/deployments`)
    .set('Authorization', people.rick)
    .send({ model: MODEL, version: '1.0.0', environment: 'staging', strategy: 'full' });
  expect({ status: deployed.status, body: deployed.body }).toMatchObject({ status: 201 });
  return digest;
}

/**
 * Batch scoring over HTTP (README, "Batch scoring"): a CSV scored by the version a staging
 * deployment serves (the LR fixture, its columns named by a passing evaluation by Attest), every
 * row with a stored receipt, progress while it runs, refusals that name the column and line and
 * never a value, and who may do what.
 */
describe('batch scoring over HTTP', () => {
  let test: TestApp;
  let dir: string;
  let sql: Client;
  let runner: BatchScoringRunner;
  const people: Record<string, string> = {};
  const rows = [...creditRows({ seed: 7, rows: ROWS })];
  const csv = applicationsCsv(rows);
  let digest: string;

  const post = (body: string | Buffer, as = 'pipe', query = '') =>
    test
      .anonymous()
      .post(`${API}/deployments/${DEPLOYMENT}/batch-scoring${query}`)
      .set('Authorization', people[as])
      .set('Content-Type', 'text/csv')
      .send(Buffer.isBuffer(body) ? body : Buffer.from(body));
  const read = async (id: string, as = 'regina'): Promise<JobView> => {
    const response = await test
      .anonymous()
      .get(`${API}/batch-scoring/${id}`)
      .set('Authorization', people[as])
      .expect(200);
    return response.body as JobView;
  };
  /** The job once the runner is done with everything queued. */
  const finished = async (id: string): Promise<JobView> => {
    await runner.idle();
    return read(id);
  };
  const receiptCount = async (requestId: string) =>
    Number(
      (
        await sql.query(
          `SELECT count(*) AS n FROM decision_receipts WHERE receipt::jsonb->>'requestId' = $1`,
          [requestId],
        )
      ).rows[0].n,
    );
  /** A job's result CSV as `as` reads it (200 expected). */
  const resultText = async (id: string, as: string): Promise<string> => {
    const response = await test
      .anonymous()
      .get(`${API}/batch-scoring/${id}/result`)
      .set('Authorization', people[as])
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      });
    expect({ as, status: response.status }).toEqual({ as, status: 200 });
    return response.body as string;
  };
  const batchFiles = async () => readdir(join(dir, 'batch-scoring')).catch(() => [] as string[]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-batch-scoring-e2e-'));
    test = await startTestApp({
      env: { ARTIFACT_DIR: dir, ARTIFACT_MAX_BYTES: String(MAX_BYTES) },
    });
    const cast: Record<string, Role[]> = {
      pipe: ['pipeline'],
      tess: ['data-scientist'],
      rick: ['risk-manager'],
      regina: ['regulator'],
      los: ['scoring'],
      broker: ['scoring'],
    };
    for (const [sub, roles] of Object.entries(cast)) {
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    }
    runner = test.app.get(BatchScoringRunner);
    sql = new Client({ connectionString: test.app.get<DatabaseHandle>(DATABASE_HANDLE).url });
    await sql.connect();

    digest = await deployCreditModel(test, people);
  });
  afterAll(async () => {
    await sql?.end();
    await test?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('scores a 5,000-row CSV: one result line per row, each with a stored receipt, progress on the way', async () => {
    // Looked at between the first and the second chunk: running, the first chunk counted.
    const seen: JobView[] = [];
    const remove = runner.addChunkHook(async ({ jobId, rowsScored }) => {
      if (rowsScored === CHUNK_ROWS) seen.push(await read(jobId));
    });
    const response = await post(
      csv,
      'pipe',
      '?requestId=nightly-2026-03&subjectColumn=application_id',
    );
    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    expect(response.body).toEqual({ id, status: 'queued', href: `${API}/batch-scoring/${id}` });
    expect(response.headers.location).toBe(`${API}/batch-scoring/${id}`);

    const job = await finished(id);
    remove();
    expect(seen).toEqual([
      expect.objectContaining({
        status: 'running',
        progress: {
          rowsScored: CHUNK_ROWS,
          rowsTotal: ROWS,
          percent: Math.round((1000 * CHUNK_ROWS) / ROWS) / 10,
        },
      }),
    ]);
    const expected = rows.map((row) => logisticRegressionScore(FEATURE_ORDER.map((f) => row[f])));
    const positives = expected.filter((score) => score >= 0.5).length;
    expect(job).toMatchObject({
      id,
      deploymentId: DEPLOYMENT,
      version: '1.0.0',
      arm: 'stable',
      artifactDigest: digest,
      requestId: 'nightly-2026-03',
      status: 'succeeded',
      progress: { rowsScored: ROWS, rowsTotal: ROWS, percent: 100 },
      counts: { positive: positives, negative: ROWS - positives },
      error: null,
      requestedBy: 'pipe',
      links: {
        self: `${API}/batch-scoring/${id}`,
        result: `${API}/batch-scoring/${id}/result`,
        modelVersion: `${API}/models/${MODEL}/versions/1.0.0`,
      },
    });

    const result = await test
      .anonymous()
      .get(`${API}/batch-scoring/${id}/result`)
      .set('Authorization', people.pipe)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      })
      .expect(200);
    expect(result.headers['content-type']).toMatch(/^text\/csv/);
    const lines = (result.body as string).trimEnd().split('\n');
    expect(lines[0]).toBe('line,score,decision,label,receiptId');
    expect(lines).toHaveLength(ROWS + 1);
    const ids: string[] = [];
    lines.slice(1).forEach((text, index) => {
      const [line, score, decision, label, receiptId] = text.split(',');
      expect(Number(line)).toBe(index + 2);
      expect(Number(score)).toBeCloseTo(expected[index], 5);
      expect(decision).toBe(expected[index] >= 0.5 ? 'positive' : 'negative');
      expect(label).toBe(decision === 'positive' ? '1' : '0');
      ids.push(receiptId);
    });

    // Every receipt id of the result is stored, with the job's version, request id and row's score.
    const stored = await sql.query<{ receipt_id: string; receipt: Record<string, unknown> }>(
      'SELECT receipt_id, receipt::jsonb AS receipt FROM decision_receipts WHERE receipt_id = ANY($1::uuid[])',
      [ids],
    );
    expect(stored.rows).toHaveLength(ROWS);
    const byId = new Map(stored.rows.map((row) => [row.receipt_id, row.receipt]));
    const first = byId.get(ids[0])!;
    expect(first).toMatchObject({
      deploymentId: DEPLOYMENT,
      version: '1.0.0',
      arm: 'stable',
      artifactDigest: digest,
      requestId: 'nightly-2026-03',
      decision: expected[0] >= 0.5 ? 'positive' : 'negative',
    });
    expect((first.outputs as { score: number }).score).toBeCloseTo(expected[0], 5);
    // Subject references only as their keyed hash; no application id anywhere in the table.
    expect(first.subjectRef).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(new Set([...byId.values()].map((r) => r.subjectRef)).size).toBe(ROWS);
    const leaked = await sql.query(
      `SELECT count(*) AS n FROM decision_receipts WHERE receipt::text LIKE '%APP-1%'`,
    );
    expect(Number(leaked.rows[0].n)).toBe(0);
    // The upload is gone once the job is over; the result stays.
    expect(await batchFiles()).toEqual([`${id}.result.csv`]);
  });

  it('has its receipts sealed as real-time ones are: every one in a recorded batch', async () => {
    await test.app.get(ReceiptSealer).seal({ all: true });
    const unsealed = await sql.query(
      `SELECT count(*) AS n FROM decision_receipts
        WHERE receipt::jsonb->>'requestId' = 'nightly-2026-03' AND batch_id IS NULL`,
    );
    expect(Number(unsealed.rows[0].n)).toBe(0);
    const batches = await sql.query<{ status: string; event_id: string | null; n: string }>(
      `SELECT b.status, b.event_id, count(*) AS n FROM decision_receipts d
         JOIN receipt_batches b ON b.batch_id = d.batch_id
        WHERE d.receipt::jsonb->>'requestId' = 'nightly-2026-03'
        GROUP BY b.batch_id, b.status, b.event_id`,
    );
    expect(batches.rows.length).toBeGreaterThan(0);
    expect(batches.rows.reduce((sum, row) => sum + Number(row.n), 0)).toBe(ROWS);
    for (const batch of batches.rows) {
      expect(batch).toMatchObject({ status: 'recorded', event_id: expect.any(String) });
    }
  });

  it('refuses a CSV whose header lacks a feature (422 naming the column), keeping nothing', async () => {
    const before = await sql.query('SELECT count(*) AS n FROM batch_scoring_jobs');
    const files = await batchFiles();
    const lacking = csv.replace('debt_ratio', 'debt');
    const response = await post(lacking);
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.body).toMatchObject({
      code: 'batch-csv-unfit',
      errors: { 'header.debt_ratio': [expect.stringContaining('debt_ratio')] },
    });
    const after = await sql.query('SELECT count(*) AS n FROM batch_scoring_jobs');
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect(await batchFiles()).toEqual(files);
  });

  it('fails the job at a non-numeric value, naming line and column and never the value', async () => {
    // Data row 1234 (line 1235 of the file, after the header).
    const bad = applicationsCsv(rows, (line, index) => {
      if (index === 1233) line[1 + CREDIT_COLUMNS.indexOf('debt_ratio')] = 'SECRET-7';
    });
    const response = await post(bad, 'pipe', '?requestId=bad-at-1234');
    expect(response.status).toBe(202);
    const job = await finished(response.body.id as string);
    // The chunks before the bad row's were scored; its own never was.
    const before = Math.floor(1233 / CHUNK_ROWS) * CHUNK_ROWS;
    expect(job).toMatchObject({
      status: 'failed',
      error: 'line 1235, column debt_ratio: the value is not a finite number',
      errorField: 'debt_ratio',
      progress: { rowsScored: before },
      links: { result: null },
    });
    expect(JSON.stringify(job)).not.toContain('SECRET');
    expect(await receiptCount('bad-at-1234')).toBe(before);
    const result = await test
      .anonymous()
      .get(`${API}/batch-scoring/${job.id}/result`)
      .set('Authorization', people.pipe);
    expect(result.status).toBe(409);
    expect(await batchFiles()).not.toContain(`${job.id}.input.csv`);
    expect(await batchFiles()).not.toContain(`${job.id}.result.csv`);
  });

  it('keeps the receipts of chunks scored before a bad row', async () => {
    const at = CHUNK_ROWS + 10;
    const bad = applicationsCsv(rows, (line, index) => {
      if (index === at) line[1 + CREDIT_COLUMNS.indexOf('income')] = '';
    });
    const response = await post(bad, 'pipe', '?requestId=bad-in-chunk-2');
    const job = await finished(response.body.id as string);
    expect(job).toMatchObject({
      status: 'failed',
      error: `line ${at + 2}, column income: the value is empty`,
      progress: { rowsScored: CHUNK_ROWS },
    });
    expect(await receiptCount('bad-in-chunk-2')).toBe(CHUNK_ROWS);
  });

  it('refuses an upload larger than ARTIFACT_MAX_BYTES (413), keeping nothing', async () => {
    const files = await batchFiles();
    const huge = Buffer.alloc(MAX_BYTES + 100_000, 'a');
    huge.write('income,debt_ratio,age,credit_history_months\n');
    const response = await post(huge);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ code: 'batch-upload-too-large' });
    expect(await batchFiles()).toEqual(files);
  });

  it('refuses an unknown deployment (404), a bad requestId (400) and a JSON body (400)', async () => {
    const unknown = await test
      .anonymous()
      .post(`${API}/deployments/unknown-model.staging/batch-scoring`)
      .set('Authorization', people.pipe)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(csv.slice(0, 2000)));
    expect(unknown.status).toBe(404);
    const badId = await post(csv.slice(0, 2000), 'pipe', `?requestId=${'x'.repeat(129)}`);
    expect(badId.status).toBe(400);
    expect(badId.body.errors).toHaveProperty('requestId');
    const json = await test
      .anonymous()
      .post(`${API}/deployments/${DEPLOYMENT}/batch-scoring`)
      .set('Authorization', people.pipe)
      .send({ rows: [] });
    expect(json.status).toBe(400);
    expect(json.body.errors).toHaveProperty('body');
  });

  it('lets pipelines and scoring applications start jobs; a scoring application sees only its own', async () => {
    const small = applicationsCsv(rows.slice(0, 20));
    expect((await post(small, 'tess')).status).toBe(403);
    expect((await post(small, 'regina')).status).toBe(403);
    const anonymous = await test
      .anonymous()
      .post(`${API}/deployments/${DEPLOYMENT}/batch-scoring`)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(small));
    expect(anonymous.status).toBe(401);

    const response = await post(small, 'los');
    expect(response.status).toBe(202);
    const id = response.body.id as string;
    expect((await finished(id)).status).toBe('succeeded');
    // Its own job: status and result; another application's: not found.
    expect((await read(id, 'los')).requestedBy).toBe('los');
    await test
      .anonymous()
      .get(`${API}/batch-scoring/${id}/result`)
      .set('Authorization', people.los)
      .expect(200);
    for (const path of [id, `${id}/result`]) {
      const other = await test
        .anonymous()
        .get(`${API}/batch-scoring/${path}`)
        .set('Authorization', people.broker);
      expect(other.status).toBe(404);
    }
    // Every reading role reads any job and its result (scores and receipt ids, no input value),
    // as pipelines do: the same lines as its own application got.
    expect((await read(id, 'rick')).status).toBe('succeeded');
    const own = await resultText(id, 'los');
    for (const reader of ['regina', 'rick', 'tess', 'pipe']) {
      expect({ reader, result: await resultText(id, reader) }).toEqual({ reader, result: own });
    }
  });

  it('honours Idempotency-Key: the same bytes again answer the first job and keep nothing; other bytes or another query are 422', async () => {
    const small = applicationsCsv(rows.slice(0, 30));
    const keyed = (body: string, key: string, as = 'pipe', query = '') =>
      post(body, as, query).set('Idempotency-Key', key);
    const jobs = async () =>
      Number((await sql.query('SELECT count(*) AS n FROM batch_scoring_jobs')).rows[0].n);

    const first = await keyed(small, 'nightly-retry-1');
    expect(first.status).toBe(202);
    const id = first.body.id as string;
    expect((await finished(id)).status).toBe('succeeded');
    const before = { jobs: await jobs(), files: await batchFiles() };

    const again = await keyed(small, 'nightly-retry-1');
    expect({
      status: again.status,
      body: again.body,
      location: again.headers.location,
      replayed: again.headers['idempotent-replayed'],
    }).toEqual({
      status: 202,
      body: { id, status: 'succeeded', href: `${API}/batch-scoring/${id}` },
      location: `${API}/batch-scoring/${id}`,
      replayed: 'true',
    });
    await runner.idle();
    // Nothing scored again, no second job, no upload kept.
    expect(await receiptCount(id)).toBe(30);
    expect({ jobs: await jobs(), files: await batchFiles() }).toEqual(before);

    // The same key with other bytes, or with another query: refused, nothing kept.
    const otherBytes = await keyed(applicationsCsv(rows.slice(1, 31)), 'nightly-retry-1');
    const otherQuery = await keyed(small, 'nightly-retry-1', 'pipe', '?requestId=another-run');
    for (const response of [otherBytes, otherQuery]) {
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body).toMatchObject({ code: 'idempotency-key-reused' });
    }
    await runner.idle();
    expect({ jobs: await jobs(), files: await batchFiles() }).toEqual(before);

    // Keys are the caller's: another caller's same key starts a job of its own.
    const theirs = await keyed(small, 'nightly-retry-1', 'los');
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(id);
    expect((await finished(theirs.body.id as string)).requestedBy).toBe('los');
  });

  it('starts one job for concurrent retries with one Idempotency-Key, keeping one upload', async () => {
    const small = applicationsCsv(rows.slice(0, 40));
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => post(small, 'pipe').set('Idempotency-Key', 'nightly-race-1')),
    );
    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202]);
    const ids = new Set(responses.map((response) => response.body.id as string));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect((await finished(id)).status).toBe('succeeded');
    const rowsOf = await sql.query('SELECT count(*) AS n FROM batch_scoring_jobs WHERE id = $1', [
      id,
    ]);
    expect(Number(rowsOf.rows[0].n)).toBe(1);
    expect(await receiptCount(id)).toBe(40);
    // Every racing upload is gone: the winner's with its job, the others' at once.
    expect((await batchFiles()).filter((name) => name.endsWith('.input.csv'))).toEqual([]);
  });

  it('runs jobs one at a time: a job accepted while another runs is queued, then runs', async () => {
    let second: { id: string; status: string; queuedView: JobView } | undefined;
    const small = applicationsCsv(rows.slice(0, 300));
    const remove = runner.addChunkHook(async ({ rowsScored }) => {
      if (rowsScored !== CHUNK_ROWS || second) return;
      const response = await post(small, 'los', '?requestId=second-job');
      const id = response.body.id as string;
      second = { id, status: response.body.status as string, queuedView: await read(id) };
    });
    const first = await post(csv, 'pipe', '?requestId=first-job');
    const firstJob = await finished(first.body.id as string);
    remove();
    expect(second).toMatchObject({
      status: 'queued',
      queuedView: { status: 'queued', progress: { rowsScored: 0, rowsTotal: 300 } },
    });
    const secondJob = await finished(second!.id);
    expect([firstJob.status, secondJob.status]).toEqual(['succeeded', 'succeeded']);
    expect(await receiptCount('first-job')).toBe(ROWS);
    expect(await receiptCount('second-job')).toBe(300);
  });

  it('shows a job whose process stopped reporting as failed, interrupted, and sweeps its upload on start', async () => {
    // What a process killed mid-job leaves: a running job whose heartbeat stopped, its upload.
    const id = '0193a1b2-0000-7000-8000-00000000dead';
    await sql.query(
      `INSERT INTO batch_scoring_jobs (id, deployment_id, model, environment, version, arm,
         artifact_digest, request_id, status, rows_total, rows_scored, requested_by, created_at,
         updated_at, started_at, heartbeat_at, upload_digest)
       VALUES ($1::uuid, $2, $3, 'staging', '1.0.0', 'stable', $4, $1::text, 'running', 5000, 4096, 'pipe',
         now() - interval '10 minutes', now() - interval '10 minutes',
         now() - interval '10 minutes', now() - interval '3 minutes', $5)`,
      [id, DEPLOYMENT, MODEL, digest, `hmac-sha256:${'0'.repeat(64)}`],
    );
    await writeFile(join(dir, 'batch-scoring', `${id}.input.csv`), csv.slice(0, 500));
    const job = await read(id);
    expect(job).toMatchObject({
      status: 'failed',
      error: 'interrupted',
      progress: { rowsScored: 4096, rowsTotal: 5000 },
    });
    // A process starting on the same directory removes what the dead one left.
    await runner.onApplicationBootstrap();
    expect(await batchFiles()).not.toContain(`${id}.input.csv`);
  });

  it('serves a whole job with the version resolved when it was accepted, whatever is deployed meanwhile', async () => {
    const treeDigest = await storeEvaluatedVersion(test, people, '2.0.0', treeEnsembleModel());
    // 2.0.0 is deployed once the job's first chunk is stored.
    let deployed = 0;
    const remove = runner.addChunkHook(async ({ rowsScored }) => {
      if (rowsScored !== CHUNK_ROWS) return;
      const response = await test
        .anonymous()
        .post(`${API}/deployments`)
        .set('Authorization', people.rick)
        .send({ model: MODEL, version: '2.0.0', environment: 'staging', strategy: 'full' });
      deployed = response.status;
    });
    const during = await post(csv, 'pipe', '?requestId=during-deploy');
    const job = await finished(during.body.id as string);
    remove();
    expect(deployed).toBe(201);
    expect(job).toMatchObject({ status: 'succeeded', version: '1.0.0', artifactDigest: digest });
    const versions = await sql.query<{ version: string; n: string }>(
      `SELECT version, count(*) AS n FROM decision_receipts WHERE receipt::jsonb->>'requestId' = $1
         GROUP BY version`,
      ['during-deploy'],
    );
    expect(versions.rows.map((row) => [row.version, Number(row.n)])).toEqual([['1.0.0', ROWS]]);

    // The next job is served by 2.0.0.
    const after = await post(applicationsCsv(rows.slice(0, 10)), 'pipe', '?requestId=after-deploy');
    expect(await finished(after.body.id as string)).toMatchObject({
      status: 'succeeded',
      version: '2.0.0',
      artifactDigest: treeDigest,
    });
  });

  it('serves a canary job by its requestId, the whole job on the arm it lands on', async () => {
    // 2.0.0 serves staging (the test before); 1.0.0 comes back as a 50% canary.
    const canary = await test
      .anonymous()
      .post(`${API}/deployments`)
      .set('Authorization', people.rick)
      .send({
        model: MODEL,
        version: '1.0.0',
        environment: 'staging',
        strategy: 'canary',
        canaryPercent: 50,
      });
    expect(canary.status).toBe(201);
    const ids = Array.from({ length: 40 }, (_, i) => `canary-probe-${i}`);
    const onCanary = ids.find((id) => canaryArm(id, 50) === 'canary')!;
    const onStable = ids.find((id) => canaryArm(id, 50) === 'stable')!;
    const small = applicationsCsv(rows.slice(0, 50));
    for (const [requestId, arm, version] of [
      [onCanary, 'canary', '1.0.0'],
      [onStable, 'stable', '2.0.0'],
    ]) {
      const response = await post(small, 'pipe', `?requestId=${requestId}`);
      const job = await finished(response.body.id as string);
      expect(job).toMatchObject({ status: 'succeeded', requestId, arm, version });
      const arms = await sql.query<{ arm: string; version: string }>(
        `SELECT DISTINCT receipt::jsonb->>'arm' AS arm, version FROM decision_receipts
           WHERE receipt::jsonb->>'requestId' = $1`,
        [requestId],
      );
      expect(arms.rows).toEqual([{ arm, version }]);
    }
  });
});

describe('batch scoring when the service stops during a job', () => {
  it('stops at a chunk boundary: after a restart the job shows failed, interrupted, its stored chunks receipted, its files gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attest-batch-scoring-stop-'));
    // The store outlives the first application: on disk under DATA_DIR, or one PostgreSQL database.
    const kind = defaultStoreKind();
    const database = kind === 'postgres' ? await createTestDatabase(kind) : undefined;
    const start = () => startTestApp({ kind, database, env: { DATA_DIR: dir } });
    let test: TestApp | undefined;
    try {
      test = await start();
      const people: Record<string, string> = {};
      const cast: Record<string, Role[]> = {
        pipe: ['pipeline'],
        tess: ['data-scientist'],
        rick: ['risk-manager'],
      };
      for (const [sub, roles] of Object.entries(cast)) {
        people[sub] = `Bearer ${await test.token(sub, roles)}`;
      }
      await deployCreditModel(test, people);
      const first = test;
      const runner = first.app.get(BatchScoringRunner);
      // Three chunks; the application starts closing once the first is stored.
      let closing: Promise<void> | undefined;
      runner.addChunkHook(({ rowsScored }) => {
        if (rowsScored === CHUNK_ROWS) closing ??= first.close();
        return Promise.resolve();
      });
      const rows = [...creditRows({ seed: 8, rows: 3 * CHUNK_ROWS - 100 })];
      const response = await first
        .anonymous()
        .post(`${API}/deployments/${DEPLOYMENT}/batch-scoring?requestId=stopped`)
        .set('Authorization', people.pipe)
        .set('Content-Type', 'text/csv')
        .send(Buffer.from(applicationsCsv(rows)));
      expect(response.status).toBe(202);
      const id = response.body.id as string;
      // The close waits for the job to stop.
      await runner.idle();
      await closing;
      test = undefined;

      test = await start();
      const reader = `Bearer ${await test.token('pipe', ['pipeline'])}`;
      const job = (
        await test
          .anonymous()
          .get(`${API}/batch-scoring/${id}`)
          .set('Authorization', reader)
          .expect(200)
      ).body as JobView;
      expect(job).toMatchObject({
        status: 'failed',
        error: 'interrupted: the service stopped during the job',
      });
      // Stopped before the end, after the first chunk; every chunk counted has its receipts.
      const scored = job.progress.rowsScored;
      expect(scored).toBeGreaterThanOrEqual(CHUNK_ROWS);
      expect(scored).toBeLessThan(rows.length);
      const sql = new Client({
        connectionString: test.app.get<DatabaseHandle>(DATABASE_HANDLE).url,
      });
      await sql.connect();
      try {
        const receipts = await sql.query(
          `SELECT count(*) AS n FROM decision_receipts WHERE receipt::jsonb->>'requestId' = 'stopped'`,
        );
        expect(Number(receipts.rows[0].n)).toBeGreaterThanOrEqual(scored);
      } finally {
        await sql.end();
      }
      expect(await readdir(join(dir, 'artifacts', 'batch-scoring'))).toEqual([]);
    } finally {
      await test?.close();
      await database?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
