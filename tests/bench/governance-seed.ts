/**
 * Seeding shared by the benchmarks that need a governed history: models with versions trained,
 * evaluated, approved and deployed through the HTTP API (some rolled back), and the access log's
 * records as the recorder writes them.
 */
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Role } from '../../src/auth/roles';
import type { NewEvent } from '../../src/ledger/event-log.port';
import { recordServiceRun } from '../support/service-evaluations';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import type { TestApp } from '../support/test-app';
import type { TestClock } from '../support/test-clock';

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;

/** Governance history through the API (as tests/bench/queries.bench.ts seeds it); model → serving version. */
export async function seedGovernance(
  test: TestApp,
  time: TestClock,
  { models = 10, versions = 3 }: { models?: number; versions?: number } = {},
): Promise<Map<string, string>> {
  const MODELS = models;
  const VERSIONS = versions;
  const tokens = new Map<string, string>();
  const people: [string, Role[]][] = [
    ['ci', ['pipeline']],
    ['dana', ['data-scientist']],
    ['rick', ['risk-manager']],
  ];
  for (const [sub, roles] of people) tokens.set(sub, await test.token(sub, roles, '24h'));
  const send = async (who: string, path: string, body: object) => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', `Bearer ${tokens.get(who)}`)
      .send(body);
    if (response.status >= 300)
      throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { id: string; ledgerPosition: string };
  };
  const serving = new Map<string, string[]>();
  for (let v = 1; v <= VERSIONS; v++) {
    for (let m = 0; m < MODELS; m++) {
      const model = `model-${m}`;
      const dataset = `${model}-data`;
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
        model,
        datasetVersions: [{ name: dataset, version: `v${v}` }],
        code: { repository: 'git@example:models.git', commit: randomBytes(4).toString('hex') },
        algorithm: 'xgboost',
        hyperparameters: { depth: 6 },
      });
      const artifact = versionArtifact(`${model}@${v}`).digest;
      await send('ci', `/training-runs/${run.id}/completion`, {
        metrics: { auc: 0.8 },
        validationApproach: 'holdout',
        artifact: { uri: `s3://models/${model}/${v}.onnx`, digest: artifact, format: 'onnx' },
      });
      const version = `${v}.0.0`;
      await send('dana', `/models/${model}/versions`, {
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
      await storeVersionArtifact(test, `Bearer ${tokens.get('dana')}`, {
        model,
        version,
        tag: `${model}@${v}`,
      });
      await send('ci', `/models/${model}/versions/${version}/evaluations`, {
        datasetVersion: { name: dataset, version: `v${v}` },
        metrics: { auc: 0.79 },
        fairness: [],
        verdict: 'pass',
      });
      await recordServiceRun(test.eventLog, {
        model,
        version,
        datasetVersion: { name: dataset, version: `v${v}`, contentHash },
        artifactDigest: artifact,
        evaluatedAt: time.iso(),
      });
      const approval = await send(
        'dana',
        `/models/${model}/versions/${version}/approval-requests`,
        {
          environment: 'production',
        },
      );
      await send('rick', `/approvals/${approval.id}/decisions`, { decision: 'grant' });
      await send('rick', '/deployments', {
        model,
        version,
        environment: 'production',
        strategy: 'full',
        approvalId: approval.id,
      });
      serving.set(model, [...(serving.get(model) ?? []), version]);
    }
    time.advanceDays(30);
  }
  const current = new Map<string, string>();
  for (const [m, [model, versions]] of [...serving].entries()) {
    if (m < MODELS / 2) {
      await send('rick', `/deployments/${model}.production/rollback`, {
        reason: 'drift',
        automatic: true,
      });
      current.set(model, versions[versions.length - 2]);
    } else current.set(model, versions[versions.length - 1]);
  }
  return current;
}

/** A regulator's read as the access log records it (src/access-log/access-log.recorder.ts). */
export function regulatorAccessed(sub: string, i: number, at: Date, models = 10): NewEvent {
  const id = uuidv7();
  return {
    id,
    type: 'RegulatorAccessed',
    data: {
      sub,
      roles: ['regulator'],
      method: 'GET',
      url: `/api/v1/models/model-${i % models}`,
      status: 200,
      accessedAt: at.toISOString(),
    },
    metadata: {
      schemaVersion: 1,
      occurredAt: at.toISOString(),
      actor: { sub, roles: ['regulator'] },
      correlationId: id,
      causationId: id,
    },
  };
}
