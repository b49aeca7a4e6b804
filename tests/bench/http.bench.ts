/**
 * `npm run bench:http` (README, "Benchmark"), all at 16 concurrent clients and in one run:
 * - writes: pipeline-style prediction-batch summaries over HTTP, one per request, with a real
 *   token, validation, the decider and the hash-chained append, beside raw `pg` single-row
 *   inserts of the same payload;
 * - the liveness probe `GET /api/v1/health/live` (no token, no database) beside a bare Fastify
 *   answering the same body (tests/bench/bare-fastify.ts): what every request pays for;
 * - an authenticated read, `GET /api/v1/models/{name}`.
 * The service runs as production runs it: with DATABASE_URL (a scratch database is created and
 * dropped), one projector process (ATTEST_ROLE=projector) and BENCH_API_PROCESSES API processes
 * (ATTEST_ROLE=api, default 1) on the same database, the clients spread over the API processes;
 * on embedded PGlite (no DATABASE_URL) one process of role `all`. The HTTP figures come from a
 * raw-socket keep-alive client (tests/bench/http-load.ts), light enough not to be the limit.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { DevIssuer } from '../../src/auth/dev-issuer';
import { DEV_ISSUER, loadConfig } from '../../src/config/app-config';
import { connectToServer, startEmbedded } from '../../src/ledger/database/database-handle';
import { scratchDatabase } from '../support/test-database';
import { spawn } from 'node:child_process';
import {
  type Run,
  ServiceClient,
  drive,
  freePort,
  percentile,
  startService,
  stopService,
} from './service-process';
import { type LoadRun, expectStatus, load, rawRequest } from './http-load';
import { versionArtifact } from '../support/stored-artifacts';

const CLIENTS = 16;
const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 300;
/** Requests per round of the probe, the bare Fastify and the model read. */
const READS = Number(process.env.BENCH_HTTP_READS ?? 20_000);
const API_PROCESSES = Number(process.env.BENCH_API_PROCESSES ?? 1);

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

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'attest-bench-http-'));
  const rawDir = await mkdtemp(join(tmpdir(), 'attest-bench-raw-'));
  const base = process.env.DATABASE_URL;
  const serviceDb = base ? await scratchDatabase(base, 'attest_bench') : undefined;
  const rawDb = base ? await scratchDatabase(base, 'attest_bench') : undefined;
  const rawHandle = rawDb ? connectToServer(rawDb.url) : await startEmbedded(rawDir);
  const ports = await Promise.all(Array.from({ length: API_PROCESSES }, () => freePort()));
  const client = new ServiceClient(ports[0], CLIENTS);
  const shared = {
    DATA_DIR: dataDir,
    DATABASE_POOL_SIZE: String(CLIENTS),
    ...(serviceDb ? { DATABASE_URL: serviceDb.url } : {}),
  };
  // README, "Projector role": API processes and a projector on one database; embedded PGlite
  // lives inside one process, so there the one process does both.
  const processes = [];
  if (serviceDb) {
    processes.push(await startService({ ...shared, ATTEST_ROLE: 'projector' }, await freePort()));
  }
  for (const port of ports) {
    processes.push(await startService({ ...shared, ATTEST_ROLE: serviceDb ? 'api' : 'all' }, port));
  }
  const barePort = await freePort();
  const bare = await startBareFastify(barePort);
  const label = base
    ? `PostgreSQL (DATABASE_URL), ${API_PROCESSES} API process${API_PROCESSES > 1 ? 'es' : ''} (ATTEST_ROLE=api) and a projector (ATTEST_ROLE=projector)`
    : 'embedded PGlite (on disk), one process (ATTEST_ROLE=all)';
  try {
    const { audience } = loadConfig({}).auth;
    const issuer = await DevIssuer.open(dataDir, DEV_ISSUER, audience);
    const pipeline = await issuer.sign({ sub: 'bench-pipeline', roles: ['pipeline'] });
    const riskManager = await issuer.sign({ sub: 'bench-risk', roles: ['risk-manager'] });

    // The flow a scoring pipeline runs in: a registered, trained model deployed to staging.
    await client.expect(
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
    const run = await client.expect(
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
    await client.expect(
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
    await client.expect(
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
    await client.expect(
      'PUT',
      '/api/v1/models/bench-credit/versions/1.0.0/artifact',
      pipeline,
      ARTIFACT.bytes,
      200,
      'application/octet-stream',
    );
    await client.expect(
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
    const auth = { Authorization: `Bearer ${pipeline}` };
    const viaHttp = (total: number) =>
      load(ports, () => rawRequest('POST', batches, auth, batch(sequence++)), CLIENTS, total).then(
        (run) => expectStatus(run, 201, `POST ${batches}`),
      );
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
    await viaHttp(WARMUP);
    await drive(CLIENTS, WARMUP, viaRaw);

    let http: Run = { perSecond: 0, latenciesMs: [] };
    let rawBest: Run = { perSecond: 0, latenciesMs: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always meets a checkpoint or a cold cache.
      const order = round % 2 === 0 ? ['raw', 'http'] : ['http', 'raw'];
      for (const which of order) {
        if (which === 'http') {
          const result = await viaHttp(REQUESTS);
          if (result.perSecond > http.perSecond) http = result;
        } else {
          const result = await drive(CLIENTS, REQUESTS, viaRaw);
          if (result.perSecond > rawBest.perSecond) rawBest = result;
        }
      }
      console.log(
        `round ${round + 1}: http ${Math.round(http.perSecond)}/s, raw ${Math.round(rawBest.perSecond)}/s so far`,
      );
    }

    // What every request pays for: the probe beside a bare Fastify, then an authenticated read.
    const model = '/api/v1/models/bench-credit';
    const reader = await issuer.sign({ sub: 'bench-reader', roles: ['data-scientist'] });
    const probe = rawRequest('GET', '/api/v1/health/live');
    const read = rawRequest('GET', model, { Authorization: `Bearer ${reader}` });
    // The registry shows the model once the projector has applied its registration.
    for (let attempt = 0; (await client.call('GET', model, reader)).status !== 200; attempt++) {
      if (attempt > 300) throw new Error(`${model} did not become readable`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const best = { probe: none(), bare: none(), read: none() };
    const keep = (name: keyof typeof best, run: LoadRun) => {
      if (run.perSecond > best[name].perSecond) best[name] = run;
    };
    for (const [target, request] of [
      [ports, probe],
      [barePort, probe],
      [ports, read],
    ] as const) {
      await load(target, request, CLIENTS, WARMUP * 3);
    }
    for (let round = 0; round < ROUNDS; round++) {
      keep('bare', expectStatus(await load(barePort, probe, CLIENTS, READS), 200, 'bare Fastify'));
      keep('probe', expectStatus(await load(ports, probe, CLIENTS, READS), 200, 'the probe'));
      keep('read', expectStatus(await load(ports, read, CLIENTS, READS / 4), 200, model));
    }

    const row = (name: string, run: Run, unit = '') =>
      `${name.padEnd(44)}${`${Math.round(run.perSecond)}${unit}`.padStart(12)}${percentile(run.latenciesMs, 50).toFixed(1).padStart(10)}${percentile(run.latenciesMs, 99).toFixed(1).padStart(10)}`;
    console.log(
      `\n${'path'.padEnd(44)}${'per second'.padStart(12)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`,
    );
    console.log(row('POST prediction-batches (HTTP, Attest)', http));
    console.log(row('raw pg single-row INSERT', rawBest));
    console.log(row('GET /api/v1/health/live (Attest)', best.probe));
    console.log(row('GET /api/v1/health/live (bare Fastify)', best.bare));
    console.log(row('GET /api/v1/models/{name} (data-scientist token)', best.read));
    const ratio = http.perSecond / rawBest.perSecond;
    const p99 = percentile(http.latenciesMs, 99);
    const floor = best.probe.perSecond / best.bare.perSecond;
    console.log(
      `\nwrites: ratio ${ratio.toFixed(2)}× (target ≥ 0.5×)${ratio >= 0.5 ? '' : '  below target'}; HTTP p99 ${p99.toFixed(1)} ms (target < 50 ms)${p99 < 50 ? '' : '  above target'}`,
    );
    console.log(
      `probe: ${floor.toFixed(2)}× bare Fastify (target ≥ 0.5×)${floor >= 0.5 ? '' : '  below target'}`,
    );
    await raw.end();
  } finally {
    client.close();
    for (const child of processes) await stopService(child);
    await stopService(bare);
    await rawHandle.close();
    await serviceDb?.drop();
    await rawDb?.drop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(rawDir, { recursive: true, force: true });
  }
}

const none = (): LoadRun => ({ perSecond: 0, latenciesMs: [], statuses: new Map() });

/** tests/bench/bare-fastify.ts in its own process, once it listens. */
async function startBareFastify(port: number) {
  const child = spawn(process.execPath, [join(__dirname, 'bare-fastify.js'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bare Fastify exited with ${code}`)));
  });
  return child;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
