/**
 * `npm run bench:queries`: seeds a realistic ledger (about 100k events: models, versions,
 * approvals and deployments through the HTTP API over simulated months, then prediction-batch
 * summaries appended straight to the log), waits for every projection, then measures p50/p95 of
 * the registry, lineage (depth 4), asOf deployment and ADM register queries over HTTP.
 * PostgreSQL when DATABASE_URL is set (a scratch database), embedded PGlite otherwise.
 */
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Role } from '../../src/auth/roles';
import { streams } from '../../src/ledger/stream-names';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { settled } from '../support/events';
import { recordServiceRun } from '../support/service-evaluations';
import { predictionBatchEvent } from './bench-support';

const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const MODELS = 10;
const VERSIONS = 3;
const digest = () => `sha256:${randomBytes(32).toString('hex')}`;

interface Seeded {
  model: string;
  versions: string[];
  serving: string;
}

async function main(): Promise<void> {
  const time = new TestClock('2026-01-05T09:00:00.000Z');
  const started = Date.now();
  const test = await startTestApp({ clock: time.clock, env: { DATABASE_POOL_SIZE: '16' } });
  try {
    const tokens = new Map<string, string>();
    const people: [string, Role[]][] = [
      ['ci', ['pipeline']],
      ['dana', ['data-scientist']],
      ['rick', ['risk-manager']],
      ['carol', ['compliance-officer']],
      ['rita', ['regulator']],
    ];
    for (const [sub, roles] of people) tokens.set(sub, await test.token(sub, roles, '24h'));
    const send = async (who: string, path: string, body: object) => {
      const response = await test
        .anonymous()
        .post(`/api/v1${path}`)
        .set('Authorization', `Bearer ${tokens.get(who)}`)
        .send(body);
      if (response.status >= 300) {
        throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
      }
      return response.body as { id: string; ledgerPosition: string };
    };

    // Governance history through the API, one model version a month per model.
    const seeded: Seeded[] = [];
    for (let m = 0; m < MODELS; m++)
      seeded.push({ model: `model-${m}`, versions: [], serving: '' });
    for (let v = 1; v <= VERSIONS; v++) {
      for (const entry of seeded) {
        const dataset = `${entry.model}-data`;
        const contentHash = digest();
        await send('ci', `/datasets/${dataset}/versions`, {
          version: `v${v}`,
          contentHash,
          rows: 100_000,
          schema: [
            {
              name: 'income',
              type: 'number',
              personal: true,
              sensitive: false,
              category: 'financial',
            },
            { name: 'term', type: 'number', personal: false, sensitive: false },
          ],
          location: `s3://lake/${dataset}/v${v}.parquet`,
          region: 'ap-southeast-2',
          lawfulBasis: 'consent',
          collectionNotice: 'notice-v1',
          retention: 'P7Y',
          ...(v > 1 ? { parents: [{ name: dataset, version: `v${v - 1}` }] } : {}),
        });
        const run = await send('ci', '/training-runs', {
          model: entry.model,
          datasetVersions: [{ name: dataset, version: `v${v}` }],
          code: { repository: 'git@example:models.git', commit: randomBytes(4).toString('hex') },
          algorithm: 'xgboost',
          hyperparameters: { depth: 6 },
        });
        await send('ci', `/training-runs/${run.id}/completion`, {
          metrics: { auc: 0.8 },
          validationApproach: 'holdout',
          artifact: {
            uri: `s3://models/${entry.model}/${v}.onnx`,
            digest: versionArtifact(`${entry.model}@${v}`).digest,
            format: 'onnx',
          },
        });
        const version = `${v}.0.0`;
        await send('dana', `/models/${entry.model}/versions`, {
          version,
          runId: run.id,
          riskTier: 'medium',
          decisionClass: 'substantially-assists',
          personalInformationKinds: ['financial'],
          decisions: 'approve or refer applications',
          intendedUse: 'benchmark',
          limitations: [],
          owner: 'owner',
        });
        // A version whose artifact was never stored cannot be deployed (README, "Serving").
        await storeVersionArtifact(test, `Bearer ${tokens.get('dana')}`, {
          model: entry.model,
          version,
          tag: `${entry.model}@${v}`,
        });
        await send('ci', `/models/${entry.model}/versions/${version}/evaluations`, {
          datasetVersion: { name: dataset, version: `v${v}` },
          metrics: { auc: 0.79 },
          fairness: [],
          verdict: 'pass',
        });
        // The approval policy asks a service-run evaluation of a medium-risk version (README,
        // "Approval on a passing evaluation"): recorded as the evaluation-run API records it.
        await recordServiceRun(test.eventLog, {
          model: entry.model,
          version,
          datasetVersion: { name: dataset, version: `v${v}`, contentHash },
          artifactDigest: versionArtifact(`${entry.model}@${v}`).digest,
          evaluatedAt: time.iso(),
        });
        const approval = await send(
          'dana',
          `/models/${entry.model}/versions/${version}/approval-requests`,
          {
            environment: 'production',
          },
        );
        await send('rick', `/approvals/${approval.id}/decisions`, { decision: 'grant' });
        await send('rick', '/deployments', {
          model: entry.model,
          version,
          environment: 'production',
          strategy: 'full',
          approvalId: approval.id,
        });
        entry.versions.push(version);
        entry.serving = version;
      }
      time.advanceDays(30);
    }
    for (const entry of seeded.slice(0, MODELS / 2)) {
      await send('rick', `/deployments/${entry.model}.production/rollback`, {
        reason: 'drift',
        automatic: true,
      });
      entry.serving = entry.versions[entry.versions.length - 2];
    }
    const governance = await test.countEvents();

    // Prediction-batch summaries, spread over the months, appended straight to the log.
    const batches = Math.max(0, TARGET_EVENTS - governance);
    let next = 0;
    let lastPosition = '';
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < batches; i = next++) {
          const entry = seeded[i % MODELS];
          const from = new Date(
            Date.parse('2026-01-06T00:00:00Z') + Math.floor(i / MODELS) * 600_000,
          );
          const batchId = uuidv7();
          const { position } = await test.eventLog.append(
            streams.predictionBatch(batchId),
            [
              predictionBatchEvent({
                batchId,
                deploymentId: `${entry.model}.production`,
                model: entry.model,
                version: entry.serving,
                environment: 'production',
                from,
              }),
            ],
            { expectedRevision: 'no_stream' },
          );
          lastPosition = position;
        }
      }),
    );
    const total = await test.countEvents();
    console.log(
      `seeded ${total} events (${governance} through the API) in ${((Date.now() - started) / 1000).toFixed(0)} s; projecting…`,
    );
    const projecting = Date.now();
    await settled(test.eventLog, lastPosition);
    if (!(await test.runner.waitFor(lastPosition, 30 * 60_000)))
      throw new Error('projections did not catch up');
    console.log(`every projection caught up in ${((Date.now() - projecting) / 1000).toFixed(0)} s`);

    const midway = '2026-02-20T00:00:00.000Z';
    const queries: [string, string][] = [
      ['registry: GET /models/{name}', `/models/model-3`],
      ['registry: GET /models/{name}/versions/{v}', `/models/model-3/versions/2.0.0`],
      [
        'lineage depth 4 (model version, both ways; batches summarised)',
        `/lineage/model-version/model-3@2.0.0?depth=4`,
      ],
      [
        'lineage depth 4 (dataset version downstream)',
        `/lineage/dataset-version/model-3-data@v1?depth=4&direction=downstream`,
      ],
      [
        'lineage depth 4, every batch a node (≤1000)',
        `/lineage/model-version/model-3@2.0.0?depth=4&batches=each`,
      ],
      [
        'lineage depth 4, every batch a node, first 200',
        `/lineage/model-version/model-3@2.0.0?depth=4&batches=each&limit=200`,
      ],
      ['asOf deployments (production)', `/deployments?environment=production&asOf=${midway}`],
      ['ADM register (12 months)', `/compliance/adm-register?from=2026-01-01&to=2026-12-31`],
    ];
    console.log(
      `\n${'query'.padEnd(62)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}  target p95 < 50 ms`,
    );
    for (const [label, path] of queries) {
      const latencies: number[] = [];
      for (let i = 0; i < SAMPLES + 20; i++) {
        const begin = process.hrtime.bigint();
        const response = await test
          .anonymous()
          .get(`/api/v1${path}`)
          .set('Authorization', `Bearer ${tokens.get('carol')}`);
        const ms = Number(process.hrtime.bigint() - begin) / 1e6;
        if (response.status !== 200)
          throw new Error(`GET ${path}: ${response.status} ${response.text}`);
        if (i >= 20) latencies.push(ms); // the first 20 warm caches and plans
      }
      latencies.sort((a, b) => a - b);
      const at = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
      const p95 = at(95);
      console.log(
        `${label.padEnd(62)}${at(50).toFixed(1).padStart(9)}${p95.toFixed(1).padStart(9)}  ${p95 < 50 ? 'met' : 'not met'}`,
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
