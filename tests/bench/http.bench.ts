/**
 * `npm run bench:http`: pipeline-style writes over HTTP — one prediction-batch summary per request,
 * with a real token, validation, the decider and the hash-chained append — from 16 concurrent
 * clients, beside raw `pg` single-row inserts of the same payload from 16 clients in the same run.
 * The service runs as its own process (`node dist/src/main.js`), as in production. PostgreSQL when
 * DATABASE_URL is set (a scratch database is created and dropped), embedded PGlite otherwise.
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
import {
  type Run,
  ServiceClient,
  drive,
  freePort,
  percentile,
  startService,
  stopService,
} from './service-process';
import { versionArtifact } from '../support/stored-artifacts';

const CLIENTS = 16;
const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 300;

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
  const port = await freePort();
  const client = new ServiceClient(port, CLIENTS);
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
    const viaHttp = async (index: number) => {
      const response = await client.call('POST', batches, pipeline, batch(sequence++ + index));
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
    await drive(CLIENTS, WARMUP, viaHttp);
    await drive(CLIENTS, WARMUP, viaRaw);

    let http: Run = { perSecond: 0, latenciesMs: [] };
    let rawBest: Run = { perSecond: 0, latenciesMs: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always meets a checkpoint or a cold cache.
      const order = round % 2 === 0 ? [viaRaw, viaHttp] : [viaHttp, viaRaw];
      for (const operation of order) {
        const result = await drive(CLIENTS, REQUESTS, operation);
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
    client.close();
    await stopService(service);
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
