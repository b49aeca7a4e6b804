/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { Module } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatasetRetentionSweep } from '../../src/datasets/dataset-retention-sweep';
import { DEFAULT_EVALUATION_POLICY } from '../../src/evaluation/evaluation-policy';
import { auc } from '../../src/evaluation/metrics';
import {
  EVALUATION_PASSED_HOOK,
  type PassedEvaluation,
} from '../../src/evaluation/runs/evaluation-runner';
import type { ServiceEvaluation } from '../../src/evaluation/service-evaluation';
import { DATABASE_HANDLE, type DatabaseHandle } from '../../src/ledger/database/database-handle';
import { streams } from '../../src/ledger/stream-names';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import {
  creditRunBody,
  finishedRun,
  registerStoredDataset,
  registerStoredVersion,
} from '../support/evaluation-setup';
import {
  FEATURE_ORDER,
  creditDatasetCsv,
  creditDatasetRegistration,
  creditRows,
  logisticRegressionModel,
  logisticRegressionScore,
  selectionRates,
  treeEnsembleModel,
} from '../support/onnx';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const API = '/api/v1';
const PROBLEM = /^application\/problem\+json/;
/** Enough rows that every age band and sex has at least the low tier's 30 (minGroupSize). */
const ROWS = 600;
const SEED = 21;
const MODEL = 'credit-risk';
const DATASET = 'credit-eval';

type RunView = {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: { rowsScored: number; rowsTotal: number; percent: number };
  settings: Record<string, unknown>;
  reason: string | null;
  reasonField: string | null;
  evaluationId: string | null;
  ledgerPosition: string | null;
  verdict: {
    outcome: string;
    passed: boolean;
    unmet: { rule: string; attribute?: string }[];
  } | null;
  modelVersionHref: string;
  requestedBy: string;
};

/** What the automatic-approval hook was called with (only passing runs call it). */
const passedRuns: PassedEvaluation[] = [];

@Module({
  providers: [
    {
      provide: EVALUATION_PASSED_HOOK,
      useValue: (passed: PassedEvaluation) => {
        passedRuns.push(passed);
        return Promise.resolve();
      },
    },
  ],
})
class PassedHookModule {}

describe('evaluation runs over HTTP', () => {
  let test: TestApp;
  let dir: string;
  const time = new TestClock('2026-11-02T09:00:00.000Z');
  let sql: Client;
  const people: Record<string, string> = {};
  const csv = creditDatasetCsv({ seed: SEED, rows: ROWS });
  const rows = [...creditRows({ seed: SEED, rows: ROWS })];
  const logistic = Buffer.from(logisticRegressionModel());
  const tree = Buffer.from(treeEnsembleModel());

  /** The body the suite's runs share; each case changes what it tests. */
  const runBody = (changes: Record<string, unknown> = {}) =>
    creditRunBody({ name: DATASET, version: '2026-03' }, changes);

  const write = async (as: string, path: string, body: object, status = 201) => {
    const response = await test
      .anonymous()
      .post(`${API}${path}`)
      .set('Authorization', people[as])
      .send(body);
    expect({ path, status: response.status, body: response.body }).toMatchObject({ path, status });
    return response;
  };
  const startRun = (version: string, body: object, as = 'pipe') =>
    test
      .anonymous()
      .post(`${API}/models/${MODEL}/versions/${version}/evaluation-runs`)
      .set('Authorization', people[as])
      .send(body);
  const readRun = async (id: string, as = 'regina'): Promise<RunView> => {
    const response = await test
      .anonymous()
      .get(`${API}/evaluation-runs/${id}`)
      .set('Authorization', people[as])
      .expect(200);
    return response.body as RunView;
  };
  /** The run once the runner has finished it. */
  const finished = (id: string) => finishedRun<RunView>(test, people.regina, id);
  const evaluations = async (): Promise<ModelEvaluated['data'][]> =>
    (await test.eventLog.readStream(streams.model(MODEL)))
      .filter((event) => event.type === 'ModelEvaluated')
      .map((event) => event.data as unknown as ModelEvaluated['data']);
  const runCount = async () =>
    Number((await sql.query('SELECT count(*) AS n FROM evaluation_runs')).rows[0].n);

  /** credit-risk@<version> trained on the dataset, whose artifact is `bytes`; stored unless told. */
  const registerVersion = (version: string, artifact: Buffer, store = true) =>
    registerStoredVersion(
      test,
      { scientist: people.tess, pipeline: people.pipe },
      { model: MODEL, version, artifact, trainedOn: { name: DATASET, version: '2026-03' }, store },
    );

  let logisticDigest: string;
  let treeDigest: string;
  let datasetHash: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-evaluation-runs-e2e-'));
    test = await startTestApp({
      clock: time.clock,
      env: { ARTIFACT_DIR: dir },
      imports: [PassedHookModule],
    });
    const cast: Record<string, Parameters<TestApp['token']>[1]> = {
      pipe: ['pipeline'],
      tess: ['data-scientist'],
      rick: ['risk-manager'],
      regina: ['regulator'],
      cora: ['compliance-officer'],
    };
    for (const [sub, roles] of Object.entries(cast)) {
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    }
    sql = new Client({ connectionString: test.app.get<DatabaseHandle>(DATABASE_HANDLE).url });
    await sql.connect();

    datasetHash = await registerStoredDataset(test, people.pipe, {
      name: DATASET,
      version: '2026-03',
      csv,
      rows: ROWS,
    });
    // Registered, its data never stored.
    await write(
      'pipe',
      `/datasets/${DATASET}/versions`,
      creditDatasetRegistration('2026-04', `sha256:${'cd'.repeat(32)}`, ROWS),
    );
    logisticDigest = await registerVersion('1.0.0', logistic);
    treeDigest = await registerVersion('2.0.0', tree);
    await registerVersion('3.0.0', Buffer.from('not stored'), false);
  });
  afterAll(async () => {
    await sql?.end();
    await test?.close();
    await rm(dir, { recursive: true, force: true });
  });

  let firstRun: string;

  it('scores the stored artifact on the stored data and records one ModelEvaluated performed by Attest', async () => {
    const response = await startRun('1.0.0', runBody());
    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    expect(response.body).toEqual({ id, status: 'queued', href: `${API}/evaluation-runs/${id}` });
    expect(response.headers.location).toBe(`${API}/evaluation-runs/${id}`);
    firstRun = id;

    const run = await finished(id);
    expect(run).toMatchObject({
      status: 'succeeded',
      progress: { rowsScored: ROWS, rowsTotal: ROWS, percent: 100 },
      evaluationId: id,
      requestedBy: 'pipe',
      reason: null,
      modelVersionHref: `${API}/models/${MODEL}/versions/1.0.0`,
      settings: {
        environment: 'production',
        threshold: 0.5,
        champion: null,
        columns: { features: [...FEATURE_ORDER] },
        scoreOutput: 'probability',
      },
    });

    const [evaluation] = await evaluations();
    expect(await evaluations()).toHaveLength(1);
    expect(evaluation).toMatchObject({
      evaluationId: id,
      model: MODEL,
      version: '1.0.0',
      datasetVersion: { name: DATASET, version: '2026-03', contentHash: datasetHash },
      performedBy: 'attest',
      evaluatedBy: 'pipe',
      baseline: null,
    });
    const service = evaluation.service as ServiceEvaluation;
    expect(service.inputs).toEqual({
      artifactDigest: logisticDigest,
      datasetContentHash: datasetHash,
      championArtifactDigest: null,
      onnxruntimeVersion: expect.any(String),
      attestVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      policyVersion: 0,
    });
    expect(service.runId).toBe(id);
    expect(service).not.toHaveProperty('measures.timings');
    expect(service.measures.rows).toBe(ROWS);

    // The AUC of the fixture's own scores (the model's probability) against its labels.
    const expected = auc(
      rows.map((row) => logisticRegressionScore(FEATURE_ORDER.map((f) => row[f]))),
      rows.map((row) => row.default),
    ) as number;
    expect(evaluation.metrics.auc).toBeCloseTo(expected, 4);
    expect(Object.keys(evaluation.metrics).sort()).toEqual(
      expect.arrayContaining(['auc', 'brier', 'ece', 'gini', 'ks', 'accuracy']),
    );
    expect(service.measures.pipelineAgreement?.maxAbsoluteDifference).toBeLessThan(1e-5);

    // The <25 group's selection rate sits far from the others: the four-fifths rule fails.
    const rates = Object.values(selectionRates(rows, 'age_band'));
    expect(Math.min(...rates) / Math.max(...rates)).toBeLessThan(
      DEFAULT_EVALUATION_POLICY.low.minDemographicParityRatio as number,
    );
    const parity = evaluation.fairness.find(
      (result) => result.attribute === 'age_band' && result.metric === 'minDemographicParityRatio',
    );
    expect(parity).toMatchObject({ threshold: 0.8, passed: false });
    expect(Object.keys(parity!.groups).sort()).toEqual(['25-34', '35-64', '65+', '<25']);
    expect(evaluation.verdict).toBe('fail');
    expect(run.verdict).toMatchObject({ outcome: 'fail', passed: false });
    expect(run.verdict?.unmet).toContainEqual(
      expect.objectContaining({ rule: 'minDemographicParityRatio', attribute: 'age_band' }),
    );
    // Aggregates only: no row of the file in the event.
    expect(JSON.stringify(evaluation)).not.toContain(csv.split('\n')[1]);

    // The version view shows the evaluation as Attest's.
    const view = await test
      .anonymous()
      .get(`${API}/models/${MODEL}/versions/1.0.0`)
      .set('Authorization', people.regina)
      .set('X-Ledger-Position', run.ledgerPosition as string)
      .expect(200);
    expect(JSON.stringify(view.body)).toContain(id);
  });

  it('answers the run of the same evaluation again, and lists the version’s runs', async () => {
    const before = await runCount();
    const again = await startRun('1.0.0', runBody());
    expect({ status: again.status, id: again.body.id, state: again.body.status }).toEqual({
      status: 202,
      id: firstRun,
      state: 'succeeded',
    });
    expect(await runCount()).toBe(before);
    expect(await evaluations()).toHaveLength(1);
    const list = await test
      .anonymous()
      .get(`${API}/models/${MODEL}/versions/1.0.0/evaluation-runs`)
      .set('Authorization', people.regina)
      .expect(200);
    expect(list.body.runs.map((run: RunView) => run.id)).toContain(firstRun);
  });

  it('compares a second version with the version serving the environment (DeLong)', async () => {
    // 1.0.0 serves staging (a risk manager deploys there without an approval).
    await write('rick', '/deployments', {
      model: MODEL,
      version: '1.0.0',
      environment: 'staging',
      strategy: 'full',
    });
    const { champion: _none, ...body } = runBody({ environment: 'staging' });
    const response = await startRun('2.0.0', body, 'tess');
    expect(response.status).toBe(202);
    const run = await finished(response.body.id);
    expect(run).toMatchObject({ status: 'succeeded', settings: { champion: '1.0.0' } });

    const evaluation = (await evaluations()).find((e) => e.evaluationId === run.id)!;
    const service = evaluation.service as ServiceEvaluation;
    expect(service.inputs).toMatchObject({
      artifactDigest: treeDigest,
      championArtifactDigest: logisticDigest,
    });
    const champion = service.measures.champion!;
    expect(champion.lower95).toBeLessThanOrEqual(champion.difference);
    expect(champion.upper95).toBeGreaterThanOrEqual(champion.difference);
    expect(champion.difference).toBeCloseTo(evaluation.metrics.auc - champion.auc, 10);
    expect(evaluation.baseline).toEqual({ version: '1.0.0', metrics: { auc: champion.auc } });
    expect(service.verdict.results).toContainEqual(
      expect.objectContaining({ rule: 'maxAucDrop', value: champion.lower95 }),
    );
  });

  it.each([
    ['an unregistered version', '9.9.9', {}, 404, 'version'],
    ['a version without a stored artifact', '3.0.0', {}, 422, 'version'],
    [
      'an unregistered dataset version',
      '1.0.0',
      { dataset: { name: DATASET, version: '1999' } },
      404,
      'dataset',
    ],
    [
      'a dataset version without stored data',
      '1.0.0',
      { dataset: { name: DATASET, version: '2026-04' } },
      422,
      'dataset',
    ],
    ['a label column not in the schema', '1.0.0', { labelColumn: 'defaulted' }, 422, 'labelColumn'],
    [
      'a protected attribute not in the schema',
      '1.0.0',
      { protectedAttributes: ['age_band', 'race'] },
      422,
      'protectedAttributes[1]',
    ],
    [
      'a pipeline score column not in the schema',
      '1.0.0',
      { pipelineScoreColumn: 'score' },
      422,
      'pipelineScoreColumn',
    ],
    [
      'columns naming an input the model lacks',
      '1.0.0',
      { columns: { features: [...FEATURE_ORDER], extra: 'age' } },
      422,
      'columns.extra',
    ],
    [
      'columns naming a column not in the schema',
      '1.0.0',
      { columns: { features: ['income', 'salary'] } },
      422,
      'columns.features',
    ],
    ['an input with no column', '1.0.0', { columns: {} }, 422, 'columns.features'],
    ['a score output the model lacks', '1.0.0', { scoreOutput: 'label' }, 422, 'scoreOutput'],
    ['an unregistered champion', '2.0.0', { champion: '0.1.0' }, 422, 'champion'],
    ['a champion without a stored artifact', '2.0.0', { champion: '3.0.0' }, 422, 'champion'],
    ['a threshold above 1', '1.0.0', { threshold: 1.5 }, 400, 'threshold'],
    ['an invalid environment', '1.0.0', { environment: 'Prod!' }, 400, 'environment'],
    ['a missing label column', '1.0.0', { labelColumn: undefined }, 400, 'labelColumn'],
  ])(
    'refuses %s, naming the field and keeping nothing',
    async (_case, version, changes, status, field) => {
      const before = { runs: await runCount(), events: await test.countEvents() };
      const response = await startRun(version, runBody(changes));
      expect({ status: response.status, errors: Object.keys(response.body.errors ?? {}) }).toEqual({
        status,
        errors: [field],
      });
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect({ runs: await runCount(), events: await test.countEvents() }).toEqual(before);
    },
  );

  it('lets only the writers of §7 and the risk manager start a run', async () => {
    const response = await startRun('1.0.0', runBody({ threshold: 0.45 }), 'regina');
    expect(response.status).toBe(403);
    const other = await startRun('1.0.0', runBody({ threshold: 0.45 }), 'cora');
    expect(other.status).toBe(403);
    await test
      .anonymous()
      .get(`${API}/evaluation-runs/0190f1a2-0000-7000-8000-000000000000`)
      .set('Authorization', people.regina)
      .expect(404);
  });

  let nonBinary: RunView;

  it('fails a run whose label is not binary, with its reason and no event', async () => {
    const before = (await evaluations()).length;
    const response = await startRun('1.0.0', runBody({ labelColumn: 'age_band' }), 'rick');
    expect(response.status).toBe(202);
    nonBinary = await finished(response.body.id);
    expect(nonBinary).toMatchObject({
      status: 'failed',
      reasonField: 'labelColumn',
      evaluationId: null,
      verdict: null,
    });
    expect(nonBinary.reason).toMatch(/binary/);
    expect(await evaluations()).toHaveLength(before);
  });

  it('shows a run whose process stopped reporting as interrupted, and runs it again', async () => {
    // A run of the same evaluation left `running` by a process that died an hour ago.
    const stale = '0190f1a2-0000-7000-8000-00000000dead';
    await sql.query(
      `INSERT INTO evaluation_runs (run_id, model, version, environment, settings, inputs, digest,
         status, rows_total, requested_by, requested_at, started_at, heartbeat_at)
       SELECT $1, model, version, environment, settings, inputs, digest, 'running', rows_total,
         requested_by, requested_at, requested_at, now() - interval '1 hour'
       FROM evaluation_runs WHERE run_id = $2`,
      [stale, nonBinary.id],
    );
    expect(await readRun(stale)).toMatchObject({ status: 'failed', reason: 'interrupted' });
    const again = await startRun('1.0.0', runBody({ labelColumn: 'age_band' }), 'rick');
    expect(again.status).toBe(202);
    expect([stale, nonBinary.id]).not.toContain(again.body.id);
    expect(await finished(again.body.id)).toMatchObject({
      status: 'failed',
      reasonField: 'labelColumn',
    });
  });

  it('gives two identical requests at once one run and one ModelEvaluated', async () => {
    const body = runBody({ threshold: 0.4 });
    const [a, b] = await Promise.all([startRun('1.0.0', body), startRun('1.0.0', body, 'tess')]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.id).toBe(b.body.id);
    const run = await finished(a.body.id);
    expect(run.status).toBe('succeeded');
    const recorded = (await evaluations()).filter((e) => e.evaluationId === a.body.id);
    expect(recorded).toHaveLength(1);
    const { rows: runs } = await sql.query(
      `SELECT run_id FROM evaluation_runs WHERE settings->>'threshold' = '0.4'`,
    );
    expect(runs).toEqual([{ run_id: a.body.id }]);
  });

  it('refuses a dataset version whose data the retention sweep deleted', async () => {
    const other = creditDatasetCsv({ seed: SEED + 1, rows: ROWS });
    await registerStoredDataset(
      test,
      people.pipe,
      { name: DATASET, version: '2026-05', csv: other, rows: ROWS },
      { retention: 'P1M' },
    );
    time.advanceDays(40);
    expect(await test.app.get(DatasetRetentionSweep).sweep()).toEqual([`${DATASET}@2026-05`]);
    const before = { runs: await runCount(), events: await test.countEvents() };
    const response = await startRun(
      '1.0.0',
      runBody({ dataset: { name: DATASET, version: '2026-05' } }),
    );
    expect({ status: response.status, code: response.body.code }).toEqual({
      status: 422,
      code: 'dataset-data-not-stored',
    });
    expect(response.body.errors.dataset[0]).toMatch(/retention/);
    expect({ runs: await runCount(), events: await test.countEvents() }).toEqual(before);
  });

  it('calls the automatic-approval hook after a passing run only', async () => {
    expect(passedRuns).toEqual([]);
    // A policy without fairness bounds for the low tier: the same data now passes.
    const tier = { minAuc: 0.6, minGroupSize: 30 };
    const policy = await test
      .anonymous()
      .put(`${API}/policies/evaluation`)
      .set('Authorization', people.cora)
      .send({ tiers: { low: tier, medium: tier, high: { minAuc: 0.7, minGroupSize: 100 } } });
    expect(policy.status).toBe(200);
    const response = await startRun('1.0.0', runBody());
    expect(response.body.id).not.toBe(firstRun);
    const run = await finished(response.body.id);
    expect(run).toMatchObject({ status: 'succeeded', verdict: { outcome: 'pass', passed: true } });
    const evaluation = (await evaluations()).find((e) => e.evaluationId === run.id)!;
    expect(evaluation.verdict).toBe('pass');
    expect((evaluation.service as ServiceEvaluation).inputs.policyVersion).toBe(1);
    expect(passedRuns).toEqual([
      expect.objectContaining({
        runId: run.id,
        evaluationId: run.id,
        model: MODEL,
        version: '1.0.0',
        environment: 'production',
        ledgerPosition: run.ledgerPosition,
        requestedBy: 'pipe',
        context: expect.objectContaining({ actor: expect.objectContaining({ sub: 'pipe' }) }),
      }),
    ]);
  });
});
