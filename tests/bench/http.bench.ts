/**
 * `npm run bench:http`: pipeline-style writes over HTTP — one prediction-batch summary per request,
 * with a real token, validation, the decider and the hash-chained append — from 16 concurrent
 * clients, beside raw `pg` single-row inserts of the same payload from 16 clients in the same run.
 * The service runs as its own process (`node dist/src/main.js`), as in production. PostgreSQL when
 * DATABASE_URL is set (a scratch database is created and dropped), embedded PGlite otherwise.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { DevIssuer } from '../../src/auth/dev-issuer';
import { DEV_ISSUER, loadConfig } from '../../src/config/app-config';
import { connectToServer, startEmbedded } from '../../src/ledger/database/database-handle';
import { scratchDatabase } from '../support/test-database';
import { versionArtifact } from '../support/stored-artifacts';

const CLIENTS = 16;
const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 300;

interface Run {
  perSecond: number;
  latenciesMs: number[];
}

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(
  port: number,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  // A Buffer is sent as it is (an uploaded file), anything else as JSON.
  const binary = Buffer.isBuffer(body);
  const payload = body === undefined ? undefined : binary ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload
            ? {
                'content-type': binary ? 'application/octet-stream' : 'application/json',
                'content-length': Buffer.byteLength(payload),
              }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function expectStatus(
  port: number,
  method: string,
  path: string,
  token: string,
  body: unknown,
  status: number,
): Promise<Record<string, unknown>> {
  const response = await call(port, method, path, token, body);
  if (response.status !== status) {
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as Record<string, unknown>;
}

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;
/** The deployed version's ONNX file. */
const ARTIFACT = versionArtifact('bench-credit');

function batch(index: number) {
  const from = new Date(Date.UTC(2026, 10, 26, 0, 0, 0) + index * 60_000);
  return {
    version: '1.0.0',
    count: 1000,
    window: { from: from.toISOString(), to: new Date(from.getTime() + 60_000).toISOString() },
    inputDigest: digest(),
    outputDistribution: { approve: 620, refer: 270, decline: 110 },
    featureSummaries: [
      { feature: 'income', mean: 84211.5, stddev: 21533.2, missing: 3 },
      { feature: 'age', mean: 41.2, stddev: 12.9, missing: 0 },
    ],
    latencyMs: { p50: 12.5, p95: 41.2, p99: 87.9 },
    decisions: { automated: 731, referred: 269 },
  };
}

/** `total` operations from CLIENTS concurrent loops; throughput and every latency. */
async function drive(total: number, operation: (index: number) => Promise<void>): Promise<Run> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let index = next++; index < total; index = next++) {
        const begin = process.hrtime.bigint();
        await operation(index);
        latenciesMs.push(Number(process.hrtime.bigint() - begin) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: total / seconds, latenciesMs };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startService(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    // e.g. BENCH_SERVICE_NODE_ARGS=--cpu-prof to profile the service under load.
    [...(process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean), 'dist/src/main.js'],
    {
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // 16 clients with one token: throughput, not the per-caller limit, is measured.
        RATE_LIMIT_PER_MINUTE: '0',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    const ready = await call(port, 'GET', '/api/v1/health/live', '').catch(() => undefined);
    if (ready?.status === 200) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the service did not start within 60 s');
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'attest-bench-http-'));
  const rawDir = await mkdtemp(join(tmpdir(), 'attest-bench-raw-'));
  const base = process.env.DATABASE_URL;
  const serviceDb = base ? await scratchDatabase(base, 'attest_bench') : undefined;
  const rawDb = base ? await scratchDatabase(base, 'attest_bench') : undefined;
  const rawHandle = rawDb ? connectToServer(rawDb.url) : await startEmbedded(rawDir);
  const port = await freePort();
  const service = await startService(
    {
      DATA_DIR: dataDir,
      DATABASE_POOL_SIZE: String(CLIENTS),
      ...(serviceDb ? { DATABASE_URL: serviceDb.url } : {}),
    },
    port,
  );
  const label = base ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite (on disk)';
  try {
    const { audience } = loadConfig({}).auth;
    const issuer = await DevIssuer.open(dataDir, DEV_ISSUER, audience);
    const pipeline = await issuer.sign({ sub: 'bench-pipeline', roles: ['pipeline'] });
    const riskManager = await issuer.sign({ sub: 'bench-risk', roles: ['risk-manager'] });

    // The flow a scoring pipeline runs in: a registered, trained model deployed to staging.
    await expectStatus(
      port,
      'POST',
      '/api/v1/datasets/bench-loans/versions',
      pipeline,
      {
        version: 'v1',
        contentHash: digest(),
        rows: 1000,
        schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
        location: 's3://bench/loans.parquet',
        region: 'ap-southeast-2',
      },
      201,
    );
    const run = await expectStatus(
      port,
      'POST',
      '/api/v1/training-runs',
      pipeline,
      {
        model: 'bench-credit',
        datasetVersions: [{ name: 'bench-loans', version: 'v1' }],
        code: { repository: 'git@example:credit.git', commit: 'a1b2c3d4' },
        algorithm: 'xgboost',
        hyperparameters: { depth: 6 },
      },
      201,
    );
    await expectStatus(
      port,
      'POST',
      `/api/v1/training-runs/${String(run.id)}/completion`,
      pipeline,
      {
        metrics: { auc: 0.81 },
        validationApproach: 'out-of-time holdout',
        artifact: { uri: 's3://bench/model.onnx', digest: ARTIFACT.digest, format: 'onnx' },
      },
      201,
    );
    await expectStatus(
      port,
      'POST',
      '/api/v1/models/bench-credit/versions',
      pipeline,
      {
        version: '1.0.0',
        runId: run.id,
        riskTier: 'low',
        decisionClass: 'advisory',
        personalInformationKinds: [],
        decisions: 'benchmark',
        intendedUse: 'benchmark',
        limitations: [],
        owner: 'bench-owner',
      },
      201,
    );
    // A version whose artifact was never stored cannot be deployed (README, "Serving").
    await expectStatus(
      port,
      'PUT',
      '/api/v1/models/bench-credit/versions/1.0.0/artifact',
      pipeline,
      ARTIFACT.bytes,
      200,
    );
    await expectStatus(
      port,
      'POST',
      '/api/v1/deployments',
      riskManager,
      {
        model: 'bench-credit',
        version: '1.0.0',
        environment: 'staging',
        strategy: 'full',
      },
      201,
    );
    const batches = '/api/v1/deployments/bench-credit.staging/prediction-batches';
    const raw = new Pool({ connectionString: rawHandle.url, max: CLIENTS });
    await raw.query(`CREATE TABLE raw_events (
      position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id uuid NOT NULL, stream text NOT NULL,
      revision bigint NOT NULL, type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL)`);
    const metadata = JSON.stringify({
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      actor: { sub: 'bench-pipeline', roles: ['pipeline'] },
      correlationId: randomBytes(16).toString('hex'),
      causationId: randomBytes(16).toString('hex'),
    });
    let sequence = 0;
    const viaHttp = async (index: number) => {
      const response = await call(port, 'POST', batches, pipeline, batch(sequence++ + index));
      if (response.status !== 201)
        throw new Error(`${response.status} ${JSON.stringify(response.body)}`);
    };
    const viaRaw = async (index: number) => {
      await raw.query(
        'INSERT INTO raw_events (id, stream, revision, type, data, metadata) VALUES (gen_random_uuid(), $1, 0, $2, $3, $4)',
        [
          `prediction-batch-${sequence++}-${index}`,
          'PredictionBatchRecorded',
          JSON.stringify(batch(index)),
          metadata,
        ],
      );
    };
    console.log(
      `Attest HTTP write benchmark on ${label}: ${CLIENTS} concurrent clients, ${REQUESTS} requests per round, best of ${ROUNDS} rounds; ${JSON.stringify(batch(0)).length}-byte bodies`,
    );
    await drive(WARMUP, viaHttp);
    await drive(WARMUP, viaRaw);

    let http: Run = { perSecond: 0, latenciesMs: [] };
    let rawBest: Run = { perSecond: 0, latenciesMs: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always meets a checkpoint or a cold cache.
      const order = round % 2 === 0 ? [viaRaw, viaHttp] : [viaHttp, viaRaw];
      for (const operation of order) {
        const result = await drive(REQUESTS, operation);
        if (operation === viaHttp && result.perSecond > http.perSecond) http = result;
        if (operation === viaRaw && result.perSecond > rawBest.perSecond) rawBest = result;
      }
      console.log(
        `round ${round + 1}: http ${Math.round(http.perSecond)}/s, raw ${Math.round(rawBest.perSecond)}/s so far`,
      );
    }
    const row = (name: string, run: Run) =>
      `${name.padEnd(38)}${String(Math.round(run.perSecond)).padStart(10)}${percentile(run.latenciesMs, 50).toFixed(1).padStart(10)}${percentile(run.latenciesMs, 99).toFixed(1).padStart(10)}`;
    console.log(
      `\n${'path'.padEnd(38)}${'events/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`,
    );
    console.log(row('POST prediction-batches (HTTP, Attest)', http));
    console.log(row('raw pg single-row INSERT', rawBest));
    const ratio = http.perSecond / rawBest.perSecond;
    const p99 = percentile(http.latenciesMs, 99);
    console.log(
      `\nratio ${ratio.toFixed(2)}× (target ≥ 0.5×)${ratio >= 0.5 ? '' : '  below target'}; HTTP p99 ${p99.toFixed(1)} ms (target < 50 ms)${p99 < 50 ? '' : '  above target'}`,
    );
    await raw.end();
  } finally {
    agent.destroy();
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
    await rawHandle.close();
    await serviceDb?.drop();
    await rawDb?.drop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(rawDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
