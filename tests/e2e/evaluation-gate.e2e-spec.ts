/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvaluationRunner } from '../../src/evaluation/runs/evaluation-runner';
import { streams } from '../../src/ledger/stream-names';
import {
  FEATURE_ORDER,
  creditDatasetCsv,
  creditDatasetRegistration,
  logisticRegressionModel,
} from '../support/onnx';
import { PASSING_SAMPLE } from '../support/service-evaluation-fixture';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * The whole gate with nothing seeded (README, "Approval on a passing evaluation"): real ONNX
 * artifacts and a real holdout, evaluation runs Attest scores itself, then approvals that rest on
 * them — a low-risk version approved by its passing run alone, a high-risk one never.
 */
const API = '/api/v1';
const DATASET = 'credit-holdout';
const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the evaluation gate, end to end', () => {
  let test: TestApp;
  let dir: string;
  const people: Record<string, string> = {};
  const csv = creditDatasetCsv(PASSING_SAMPLE);
  const artifact = Buffer.from(logisticRegressionModel());

  const call = (
    method: 'post' | 'put' | 'get',
    path: string,
    as: string,
    body?: object | Buffer,
    type = 'application/json',
  ) => {
    const request = test.anonymous()[method](`${API}${path}`).set('Authorization', people[as]);
    return body === undefined ? request : request.set('Content-Type', type).send(body);
  };
  const ok = async (...args: Parameters<typeof call>) => {
    const response = await call(...args);
    // The path and body in the failure message say which step was refused, and why.
    expect({ path: args[1], ok: response.status < 300, body: response.body }).toMatchObject({
      ok: true,
    });
    return response;
  };

  async function registerVersion(model: string, riskTier: 'low' | 'high') {
    const run = await ok('post', '/training-runs', 'tess', {
      model,
      datasetVersions: [{ name: DATASET, version: '2026-05' }],
      code: { repository: 'https://git.bank.example/ml/credit', commit: '9a1b2c3' },
      algorithm: 'logistic-regression',
      hyperparameters: {},
    });
    await ok('post', `/training-runs/${run.body.id}/completion`, 'pipe', {
      metrics: { auc: 0.8 },
      validationApproach: 'holdout',
      artifact: {
        uri: `s3://models/${model}.onnx`,
        digest: `sha256:${sha256(artifact)}`,
        format: 'onnx',
      },
    });
    await ok('post', `/models/${model}/versions`, 'tess', {
      version: '1.0.0',
      runId: run.body.id,
      riskTier,
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer a consumer credit application',
      intendedUse: 'consumer credit applications',
      limitations: [],
      owner: 'head-of-credit-risk',
    });
    await ok(
      'put',
      `/models/${model}/versions/1.0.0/artifact`,
      'tess',
      artifact,
      'application/octet-stream',
    );
  }

  /** Starts a run and waits until the runner has finished it (and its passed hooks). */
  async function evaluate(model: string) {
    const started = await ok('post', `/models/${model}/versions/1.0.0/evaluation-runs`, 'tess', {
      dataset: { name: DATASET, version: '2026-05' },
      labelColumn: 'default',
      positiveLabel: '1',
      protectedAttributes: ['age_band', 'sex'],
      columns: { features: [...FEATURE_ORDER] },
    });
    expect(started.status).toBe(202);
    await Promise.all(test.app.get(EvaluationRunner).running);
    return (await ok('get', `/evaluation-runs/${started.body.id}`, 'regina')).body as {
      status: string;
      evaluationId: string;
      verdict: { passed: boolean };
    };
  }

  /** The model's approvals, read at the ledger's head (everything appended so far projected). */
  const approvalsOf = async (model: string) => {
    const head = String(await test.eventLog.headPosition());
    const response = await call('get', `/approvals?model=${model}`, 'regina').set(
      'X-Ledger-Position',
      head,
    );
    expect(response.status).toBe(200);
    return (
      response.body as {
        items: { id: string; model: string; status: string; automatic?: boolean }[];
      }
    ).items.filter((approval) => approval.model === model);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-evaluation-gate-e2e-'));
    test = await startTestApp({ env: { ARTIFACT_DIR: dir } });
    const cast: Record<string, Parameters<TestApp['token']>[1]> = {
      pipe: ['pipeline'],
      tess: ['data-scientist'],
      dana: ['data-scientist'],
      regina: ['regulator'],
      cora: ['compliance-officer'],
    };
    for (const [sub, roles] of Object.entries(cast)) {
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    }
    await ok(
      'post',
      `/datasets/${DATASET}/versions`,
      'pipe',
      creditDatasetRegistration('2026-05', `sha256:${sha256(csv)}`, PASSING_SAMPLE.rows),
    );
    await ok(
      'put',
      `/datasets/${DATASET}/versions/2026-05/data`,
      'pipe',
      Buffer.from(csv),
      'text/csv',
    );
    // Low risk: no human stage, a passing evaluation decides. High: two people, always.
    await ok('put', '/policies/approval', 'cora', {
      tiers: {
        low: { stages: [], requirePassingEvaluation: true },
        medium: { stages: ['risk-manager'], requirePassingEvaluation: true },
        high: { stages: ['risk-manager', 'compliance-officer'], requirePassingEvaluation: true },
      },
    });
  });

  afterAll(async () => {
    await test?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('approves a low-risk version by its passing service-run evaluation alone', async () => {
    await registerVersion('pd-low', 'low');
    // Before any run, a request is refused: nothing Attest computed yet.
    const early = await call('post', '/models/pd-low/versions/1.0.0/approval-requests', 'dana', {
      environment: 'production',
    });
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ code: 'passing-evaluation-required' });

    const run = await evaluate('pd-low');
    expect(run).toMatchObject({ status: 'succeeded', verdict: { passed: true } });

    const approvals = await approvalsOf('pd-low');
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({ status: 'approved', automatic: true });
    const ledger = await test.eventLog.readStream(streams.approval(approvals[0].id));
    expect(ledger.map((event) => event.type)).toEqual([
      'ApprovalRequested',
      'ModelVersionApproved',
    ]);
    expect(ledger[1].data).toMatchObject({
      automatic: true,
      approvers: [],
      evaluationId: run.evaluationId,
    });
  });

  it('never approves a high-risk version by itself, and refuses a policy that would', async () => {
    await registerVersion('pd-high', 'high');
    const run = await evaluate('pd-high');
    expect(run).toMatchObject({ status: 'succeeded', verdict: { passed: true } });
    expect(await approvalsOf('pd-high')).toEqual([]);

    const noStage = await call('put', '/policies/approval', 'cora', {
      tiers: {
        low: { stages: [], requirePassingEvaluation: true },
        medium: { stages: ['risk-manager'], requirePassingEvaluation: true },
        high: { stages: [], requirePassingEvaluation: true },
      },
    });
    expect(noStage.status).toBe(400);
    expect(noStage.body.errors).toHaveProperty(['tiers.high.stages']);

    // The passing run lets a request through, to the two human stages.
    const requested = await call(
      'post',
      '/models/pd-high/versions/1.0.0/approval-requests',
      'dana',
      { environment: 'production' },
    );
    expect(requested.status).toBe(201);
    const [approval] = await approvalsOf('pd-high');
    expect(approval).toMatchObject({ status: 'pending' });
    expect(approval.automatic ?? false).toBe(false);
  });
});
