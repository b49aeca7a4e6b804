/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streams } from '../../src/ledger/stream-names';
import {
  creditRunBody,
  registerStoredDataset,
  registerStoredVersion,
  runEvaluation,
} from '../support/evaluation-setup';
import { creditDatasetCsv, logisticRegressionModel } from '../support/onnx';
import { PASSING_SAMPLE } from '../support/service-evaluation-fixture';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * The whole gate with nothing seeded (README, "Approval on a passing evaluation"): real ONNX
 * artifacts and a real holdout, evaluation runs Attest scores itself, then approvals that rest on
 * them — a low-risk version approved by its passing run alone, a high-risk one never.
 */
const API = '/api/v1';
const DATASET = 'credit-holdout';
const HOLDOUT = { name: DATASET, version: '2026-05' };

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

  const registerVersion = (model: string, riskTier: 'low' | 'high') =>
    registerStoredVersion(
      test,
      { scientist: people.tess, pipeline: people.pipe },
      { model, version: '1.0.0', artifact, trainedOn: HOLDOUT, riskTier },
    );

  /** Starts a run and waits until the runner has finished it (and its passed hooks). */
  const evaluate = (model: string) =>
    runEvaluation<{ status: string; evaluationId: string; verdict: { passed: boolean } }>(
      test,
      { requester: people.tess, reader: people.regina },
      { name: model, version: '1.0.0' },
      creditRunBody(HOLDOUT),
    );

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
    await registerStoredDataset(test, people.pipe, { ...HOLDOUT, csv, rows: PASSING_SAMPLE.rows });
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
