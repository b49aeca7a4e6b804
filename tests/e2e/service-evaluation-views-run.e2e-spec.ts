/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceEvaluation } from '../../src/evaluation/service-evaluation';
import { streams } from '../../src/ledger/stream-names';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import {
  creditRunBody,
  registerStoredDataset,
  registerStoredVersion,
  runEvaluation,
  sha256Digest as sha256,
} from '../support/evaluation-setup';
import { creditDatasetCsv, logisticRegressionModel } from '../support/onnx';
import { binary, flowing, pdfText } from '../support/pdf';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const API = '/api/v1';
const MODEL = 'credit-risk';
const DATASET = 'credit-holdout';
/** Enough rows that every age band and sex has the low tier's 30 (minGroupSize). */
const ROWS = 600;

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
    const holdout = { name: DATASET, version: '2026-03' };
    await registerStoredDataset(test, people.pipe, { ...holdout, csv, rows: ROWS });
    await registerStoredVersion(
      test,
      { scientist: people.tess, pipeline: people.pipe },
      { model: MODEL, version: '1.0.0', artifact, trainedOn: holdout },
    );
    const run = await runEvaluation<{ status: string; ledgerPosition: string | null }>(
      test,
      { requester: people.pipe, reader: people.carol },
      { name: MODEL, version: '1.0.0' },
      creditRunBody(holdout),
    );
    expect(run.status).toBe('succeeded');
    position = run.ledgerPosition as string;
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
