/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvaluationRunner } from '../../src/evaluation/runs/evaluation-runner';
import type { ServiceEvaluation } from '../../src/evaluation/service-evaluation';
import { streams } from '../../src/ledger/stream-names';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import {
  FEATURE_ORDER,
  creditDatasetCsv,
  creditDatasetRegistration,
  logisticRegressionModel,
} from '../support/onnx';
import { binary, flowing, pdfText } from '../support/pdf';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const API = '/api/v1';
const MODEL = 'credit-risk';
const DATASET = 'credit-holdout';
/** Enough rows that every age band and sex has the low tier's 30 (minGroupSize). */
const ROWS = 600;
const sha256 = (bytes: string | Uint8Array) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * The version view and the audit pack read an evaluation exactly as the evaluation-run API
 * records it: one real run (the fixture logistic regression scored by onnxruntime on a stored
 * holdout), then what each shows of it.
 */
describe('an evaluation run through the API, as the version view and the audit pack show it', () => {
  const time = new TestClock('2026-11-02T09:00:00.000Z');
  let test: TestApp;
  let dir: string;
  const people: Record<string, string> = {};
  const csv = creditDatasetCsv({ seed: 11, rows: ROWS, disparityShift: 0 });
  const artifact = Buffer.from(logisticRegressionModel());
  let evaluation: ModelEvaluated['data'];
  /** Where the run's evaluation landed: reads wait for it. */
  let position = '';

  const send = async (as: string, method: 'post' | 'put', path: string, body: object | Buffer) => {
    let call = test.anonymous()[method](`${API}${path}`).set('Authorization', people[as]);
    if (Buffer.isBuffer(body))
      call = call.set(
        'Content-Type',
        path.endsWith('/data') ? 'text/csv' : 'application/octet-stream',
      );
    const response = await call.send(body);
    if (response.status >= 300) {
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as { id: string; status?: string };
  };
  const get = (path: string) => {
    const call = test.anonymous().get(`${API}${path}`).set('Authorization', people.carol);
    return position ? call.set('X-Ledger-Position', position) : call;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-views-run-e2e-'));
    test = await startTestApp({ clock: time.clock, env: { ARTIFACT_DIR: dir } });
    for (const [sub, roles] of [
      ['pipe', ['pipeline']],
      ['tess', ['data-scientist']],
      ['carol', ['compliance-officer']],
    ] as const) {
      people[sub] = `Bearer ${await test.token(sub, [...roles])}`;
    }
    await send('pipe', 'post', `/datasets/${DATASET}/versions`, {
      ...creditDatasetRegistration('2026-03', sha256(csv), ROWS),
    });
    await send('pipe', 'put', `/datasets/${DATASET}/versions/2026-03/data`, Buffer.from(csv));
    const run = await send('tess', 'post', '/training-runs', {
      model: MODEL,
      datasetVersions: [{ name: DATASET, version: '2026-03' }],
      code: { repository: 'https://git.bank.example/ml/credit-risk', commit: '3f9c2e1' },
      algorithm: 'logistic-regression',
      hyperparameters: {},
    });
    await send('pipe', 'post', `/training-runs/${run.id}/completion`, {
      metrics: { auc: 0.8 },
      validationApproach: 'holdout',
      artifact: { uri: 's3://models/1.0.0.onnx', digest: sha256(artifact), format: 'onnx' },
    });
    await send('tess', 'post', `/models/${MODEL}/versions`, {
      version: '1.0.0',
      runId: run.id,
      riskTier: 'low',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer a consumer credit application',
      intendedUse: 'consumer credit applications',
      limitations: [],
      owner: 'head-of-credit-risk',
    });
    await send('tess', 'put', `/models/${MODEL}/versions/1.0.0/artifact`, artifact);
    const started = await send('pipe', 'post', `/models/${MODEL}/versions/1.0.0/evaluation-runs`, {
      dataset: { name: DATASET, version: '2026-03' },
      labelColumn: 'default',
      positiveLabel: '1',
      protectedAttributes: ['age_band', 'sex'],
      pipelineScoreColumn: 'pipeline_score',
      columns: { features: [...FEATURE_ORDER] },
      champion: null,
    });
    const runner = test.app.get(EvaluationRunner);
    for (let attempt = 0; attempt < 100; attempt++) {
      const run = (await get(`/evaluation-runs/${started.id}`).expect(200)).body as {
        status: string;
        ledgerPosition: string | null;
      };
      if (run.status === 'succeeded' || run.status === 'failed') {
        expect(run.status).toBe('succeeded');
        position = run.ledgerPosition as string;
        break;
      }
      await Promise.all(runner.running);
    }
    const recorded = (await test.eventLog.readStream(streams.model(MODEL))).filter(
      (event) => event.type === 'ModelEvaluated',
    );
    expect(recorded).toHaveLength(1);
    evaluation = recorded[0].data as unknown as ModelEvaluated['data'];
  }, 120_000);
  afterAll(async () => {
    await test?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the run in the version view as recorded, all but the drift baseline', async () => {
    const version = (await get(`/models/${MODEL}/versions/1.0.0`).expect(200)).body as {
      evaluations: Record<string, unknown>[];
    };
    const { distribution: _baseline, ...measures } = (evaluation.service as ServiceEvaluation)
      .measures;
    expect(version.evaluations).toEqual([
      {
        id: evaluation.evaluationId,
        performedBy: 'attest',
        service: { ...(evaluation.service as ServiceEvaluation), measures },
        datasetVersion: evaluation.datasetVersion,
        metrics: evaluation.metrics,
        baseline: evaluation.baseline,
        fairness: evaluation.fairness,
        verdict: evaluation.verdict,
        evaluatedBy: 'pipe',
        evaluatedAt: evaluation.evaluatedAt,
      },
    ]);
  });

  it('gives the run its own section in the audit pack', async () => {
    const response = await get(`/models/${MODEL}/versions/1.0.0/audit-pack`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    const text = flowing((await pdfText(response.body as Buffer)).text);
    const service = evaluation.service as ServiceEvaluation;
    expect(text).toContain(`Evaluation ${evaluation.evaluationId} — computed by Attest`);
    expect(text).toContain(`Artifact digest ${sha256(artifact)}`);
    expect(text).toContain(`Dataset content hash ${sha256(csv)}`);
    expect(text).toContain(`onnxruntime ${service.inputs.onnxruntimeVersion}`);
    expect(text).toContain('Champion comparison: no champion was compared with.');
    expect(text).toContain(`AUC ${service.measures.metrics.auc.toFixed(4)}`);
    expect(text).toContain(`Verdict: ${service.verdict.outcome}`);
    expect(text).toContain(`Calibration of evaluation ${evaluation.evaluationId}`);
    expect(text).not.toContain('posted by the pipeline');
  });
});
