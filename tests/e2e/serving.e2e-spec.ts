/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { Client } from 'pg';
import { DATABASE_HANDLE, type DatabaseHandle } from '../../src/ledger/database/database-handle';
import { SubjectHasher } from '../../src/privacy/subject-hasher';
import { routingBucket } from '../../src/serving/canary';
import {
  creditRunBody,
  registerStoredDataset,
  registerStoredVersion,
  runEvaluation,
} from '../support/evaluation-setup';
import {
  FEATURE_ORDER,
  creditDatasetCsv,
  creditRows,
  logisticRegressionModel,
  logisticRegressionScore,
  labelledLogisticRegressionModel,
} from '../support/onnx';
import { PASSING_SAMPLE } from '../support/service-evaluation-fixture';
import { TestApp, startTestApp } from '../support/test-app';

const API = '/api/v1';
const PROBLEM = /^application\/problem\+json/;
const MODEL = 'credit-risk';
const DATASET = 'credit-holdout';
const DEPLOYMENT = `${MODEL}.staging`;
/** float32 inside the model: scores agree with the double-precision reference to ~1e-6. */
const CLOSE = 5;

describe('serving predictions over HTTP', () => {
  let test: TestApp;
  let sql: Client;
  const people: Record<string, string> = {};
  const rows = [...creditRows({ seed: 3, rows: 50 })];
  const featuresOf = (row: (typeof rows)[number]) =>
    Object.fromEntries(FEATURE_ORDER.map((name) => [name, row[name]]));
  const vector = (row: (typeof rows)[number]) => FEATURE_ORDER.map((name) => row[name]);
  let logisticDigest: string;
  let labelledDigest: string;

  const post = (path: string, as: string, body: object) =>
    test.anonymous().post(path).set('Authorization', people[as]).send(body);
  const write = async (as: string, path: string, body: object, status = 201) => {
    const response = await post(`${API}${path}`, as, body);
    expect({ path, status: response.status, body: response.body }).toMatchObject({ path, status });
    return response;
  };
  const predict = (body: object, as = 'app', deployment = DEPLOYMENT) =>
    post(`${API}/deployments/${deployment}/predict`, as, body);
  const receiptCount = async () =>
    Number((await sql.query('SELECT count(*) AS n FROM decision_receipts')).rows[0].n);
  /** A request id that lands on the given arm of a canary at `percent`. */
  const requestIdOn = (arm: 'canary' | 'stable', percent: number) => {
    for (let i = 0; ; i++) {
      const id = `req-${arm}-${i}`;
      if (routingBucket(id) < percent === (arm === 'canary')) return id;
    }
  };

  beforeAll(async () => {
    test = await startTestApp({ env: { SERVING_WORKERS: '2' } });
    const cast: Record<string, Parameters<TestApp['token']>[1]> = {
      pipe: ['pipeline'],
      tess: ['data-scientist'],
      rick: ['risk-manager'],
      app: ['scoring'],
    };
    for (const [sub, roles] of Object.entries(cast)) {
      people[sub] = `Bearer ${await test.token(sub, roles)}`;
    }
    sql = new Client({ connectionString: test.app.get<DatabaseHandle>(DATABASE_HANDLE).url });
    await sql.connect();
    await registerStoredDataset(test, people.pipe, {
      name: DATASET,
      version: '2026-03',
      csv: creditDatasetCsv(PASSING_SAMPLE),
      rows: PASSING_SAMPLE.rows,
    });
    const register = (version: string, artifact: Uint8Array) =>
      registerStoredVersion(
        test,
        { scientist: people.tess, pipeline: people.pipe },
        {
          model: MODEL,
          version,
          artifact: Buffer.from(artifact),
          trainedOn: { name: DATASET, version: '2026-03' },
        },
      );
    logisticDigest = await register('1.0.0', logisticRegressionModel());
    // Another file (sklearn-onnx's label and probability outputs), the same scores.
    labelledDigest = await register('2.0.0', labelledLogisticRegressionModel());
    // Each version's evaluation by Attest in staging names the columns of its [N, 4] input.
    for (const [version, threshold] of [
      ['1.0.0', 0.4],
      ['2.0.0', 0.5],
    ] as const) {
      const run = await runEvaluation<{
        status: string;
        verdict: { passed: boolean; unmet: unknown[] };
      }>(
        test,
        { requester: people.tess, reader: people.tess },
        { name: MODEL, version },
        creditRunBody({ name: DATASET, version: '2026-03' }, { environment: 'staging', threshold }),
      );
      expect({ version, status: run.status, unmet: run.verdict.unmet }).toEqual({
        version,
        status: 'succeeded',
        unmet: [],
      });
    }
    await write('rick', '/deployments', {
      model: MODEL,
      version: '1.0.0',
      environment: 'staging',
      strategy: 'full',
    });
  });
  afterAll(async () => {
    await sql?.end();
    await test?.close();
  });

  it('scores rows with the deployed version and stores a receipt for each before answering', async () => {
    const before = await receiptCount();
    const response = await predict({
      requestId: 'app-0001',
      subjectRef: 'customer-88412',
      rows: rows.slice(0, 3).map(featuresOf),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      requestId: 'app-0001',
      deploymentId: DEPLOYMENT,
      model: MODEL,
      version: '1.0.0',
      arm: 'stable',
      artifactDigest: logisticDigest,
      threshold: 0.4,
    });
    const predictions = response.body.predictions as {
      score: number;
      decision: string;
      label: string;
      receiptId: string;
    }[];
    expect(predictions).toHaveLength(3);
    predictions.forEach((prediction, i) => {
      const expected = logisticRegressionScore(vector(rows[i]));
      expect(prediction.score).toBeCloseTo(expected, CLOSE);
      expect(prediction.decision).toBe(prediction.score >= 0.4 ? 'positive' : 'negative');
      expect(prediction.label).toBe(prediction.score >= 0.4 ? '1' : '0');
      expect(prediction.receiptId).toMatch(/^[0-9a-f-]{36}$/);
    });
    expect(new Set(predictions.map((p) => p.receiptId)).size).toBe(3);
    // Stored by the time the answer arrived.
    expect(await receiptCount()).toBe(before + 3);
    const stored = await sql.query(
      'SELECT receipt_id FROM decision_receipts WHERE receipt_id = ANY($1::uuid[])',
      [predictions.map((p) => p.receiptId)],
    );
    expect(stored.rows).toHaveLength(3);
  });

  it('serves a thousand rows in one request, and a pipeline may ask too', async () => {
    const many = [...creditRows({ seed: 5, rows: 1000 })];
    const response = await predict({ requestId: 'batch-1', rows: many.map(featuresOf) }, 'pipe');
    expect(response.status).toBe(200);
    const scores = (response.body.predictions as { score: number }[]).map((p) => p.score);
    expect(scores).toHaveLength(1000);
    scores.forEach((score, i) =>
      expect(score).toBeCloseTo(logisticRegressionScore(vector(many[i])), CLOSE),
    );
  });

  it.each([
    ['an unknown feature', [{ ...featuresOf(rows[0]), zip: '2000' }], 'rows.0.zip'],
    [
      'a missing feature',
      [{ income: 50, debt_ratio: 0.2, age: 30 }],
      'rows.0.credit_history_months',
    ],
    ['a string for a number', [{ ...featuresOf(rows[0]), age: 'forty' }], 'rows.0.age'],
    [
      'null for a number',
      [featuresOf(rows[0]), { ...featuresOf(rows[0]), income: null }],
      'rows.1.income',
    ],
    ['no rows', [], 'rows'],
    ['rows that are not objects', [1, 2], 'rows.0'],
    ['too many rows', Array.from({ length: 1001 }, () => featuresOf(rows[0])), 'rows'],
  ])(
    'refuses %s with a 400 naming the field, and writes no receipt',
    async (_case, body, field) => {
      const before = await receiptCount();
      const response = await predict({ requestId: 'bad-1', rows: body });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(Object.keys(response.body.errors)).toContain(field);
      expect(JSON.stringify(response.body)).not.toContain('forty');
      expect(await receiptCount()).toBe(before);
    },
  );

  it('refuses Infinity (1e999 in JSON) naming the field', async () => {
    const before = await receiptCount();
    const text = JSON.stringify({ requestId: 'bad-inf', rows: [featuresOf(rows[0])] }).replace(
      /"income":[^,]+/,
      '"income":1e999',
    );
    const response = await test
      .anonymous()
      .post(`${API}/deployments/${DEPLOYMENT}/predict`)
      .set('Authorization', people.app)
      .set('Content-Type', 'application/json')
      .send(text);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual({ 'rows.0.income': ['must be a finite number'] });
    expect(await receiptCount()).toBe(before);
  });

  it.each([
    ['no requestId', { rows: [] }, 'requestId'],
    ['a requestId with spaces', { requestId: 'a b', rows: [] }, 'requestId'],
    ['a requestId of 129 characters', { requestId: 'x'.repeat(129), rows: [] }, 'requestId'],
    ['no rows', { requestId: 'r-1' }, 'rows'],
  ])('refuses %s (400 naming it)', async (_case, body, field) => {
    const response = await predict(body);
    expect(response.status).toBe(400);
    expect(Object.keys(response.body.errors)).toContain(field);
  });

  it('refuses an unknown deployment (404) and a caller without the role (403)', async () => {
    const one = { requestId: 'r-2', rows: [featuresOf(rows[0])] };
    expect((await predict(one, 'app', `${MODEL}.nowhere`)).status).toBe(404);
    expect((await predict(one, 'tess')).status).toBe(403);
    expect((await predict(one, 'rick')).status).toBe(403);
  });

  it('gives the scoring role decisions and nothing else: every read is 403', async () => {
    for (const path of [
      `${API}/deployments`,
      `${API}/deployments/${DEPLOYMENT}`,
      `${API}/models/${MODEL}`,
      `${API}/ledger/events`,
    ]) {
      const response = await test.anonymous().get(path).set('Authorization', people.app);
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
  });

  it('routes a canary by request id, the same id to the same arm; promotion and rollback change the next request', async () => {
    await write('rick', '/deployments', {
      model: MODEL,
      version: '2.0.0',
      environment: 'staging',
      strategy: 'canary',
      canaryPercent: 30,
    });
    const onCanary = requestIdOn('canary', 30);
    const onStable = requestIdOn('stable', 30);
    const row = featuresOf(rows[7]);
    for (let attempt = 0; attempt < 3; attempt++) {
      const canary = await predict({ requestId: onCanary, rows: [row] });
      expect(canary.body).toMatchObject({
        arm: 'canary',
        version: '2.0.0',
        artifactDigest: labelledDigest,
      });
      expect(canary.body.predictions[0].score).toBeCloseTo(
        logisticRegressionScore(vector(rows[7])),
        CLOSE,
      );
      const stable = await predict({ requestId: onStable, rows: [row] });
      expect(stable.body).toMatchObject({ arm: 'stable', version: '1.0.0' });
    }
    // Over many ids the share is near 30% (binomial, n = 400: σ ≈ 2.3 points; ± 4σ).
    let canaryCount = 0;
    for (let i = 0; i < 400; i++) {
      const response = await predict({ requestId: `split-${i}`, rows: [row] });
      if (response.body.arm === 'canary') canaryCount++;
    }
    expect(Math.abs(canaryCount / 400 - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / 400));

    await write('rick', `/deployments/${DEPLOYMENT}/promotion`, {});
    const promoted = await predict({ requestId: onStable, rows: [row] });
    expect(promoted.body).toMatchObject({ arm: 'stable', version: '2.0.0', threshold: 0.5 });

    await write('rick', `/deployments/${DEPLOYMENT}/rollback`, { reason: 'back to 1.0.0' });
    const rolledBack = await predict({ requestId: onStable, rows: [row] });
    expect(rolledBack.body).toMatchObject({ arm: 'stable', version: '1.0.0', threshold: 0.4 });
  });

  describe('the Open Inference Protocol', () => {
    const infer = (body: object, model = DEPLOYMENT, as = 'app') =>
      post(`/v2/models/${model}/infer`, as, body);

    it('scores one input per feature, with receipts', async () => {
      const before = await receiptCount();
      const two = rows.slice(0, 2);
      const response = await infer({
        id: 'oip-1',
        inputs: FEATURE_ORDER.map((name) => ({
          name,
          shape: [2],
          datatype: 'FP64',
          data: two.map((row) => row[name]),
        })),
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        model_name: DEPLOYMENT,
        model_version: '1.0.0',
        id: 'oip-1',
        parameters: { deployment_id: DEPLOYMENT, arm: 'stable', artifact_digest: logisticDigest },
      });
      const outputs = Object.fromEntries(
        (response.body.outputs as { name: string; data: unknown[]; shape: number[] }[]).map(
          (output) => [output.name, output],
        ),
      );
      expect(Object.keys(outputs).sort()).toEqual(['decision', 'label', 'receipt_id', 'score']);
      expect(outputs.score.shape).toEqual([2]);
      (outputs.score.data as number[]).forEach((score, i) =>
        expect(score).toBeCloseTo(logisticRegressionScore(vector(two[i])), CLOSE),
      );
      expect(outputs.receipt_id.data).toHaveLength(2);
      expect(await receiptCount()).toBe(before + 2);
    });

    it('takes the ONNX input whole ([N, 4]) and a plain model name meaning production', async () => {
      const response = await infer({
        inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [vector(rows[4])] }],
      });
      expect(response.status).toBe(200);
      expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.body.outputs[0].data[0]).toBeCloseTo(
        logisticRegressionScore(vector(rows[4])),
        CLOSE,
      );
      // Nothing is deployed to production.
      expect((await infer({ inputs: [] }, MODEL)).status).toBe(400);
      const production = await infer(
        { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: vector(rows[4]) }] },
        MODEL,
      );
      expect(production.status).toBe(404);
    });

    it('answers metadata and readiness, and refuses bad inputs naming them', async () => {
      const metadata = await test
        .anonymous()
        .get(`/v2/models/${DEPLOYMENT}`)
        .set('Authorization', people.app)
        .expect(200);
      expect(metadata.body).toMatchObject({
        name: DEPLOYMENT,
        versions: ['1.0.0'],
        platform: 'onnxruntime_onnx',
        inputs: FEATURE_ORDER.map((name) => ({ name, datatype: 'FP64', shape: [-1] })),
      });
      await test
        .anonymous()
        .get(`/v2/models/${DEPLOYMENT}/ready`)
        .set('Authorization', people.app)
        .expect(200, { name: DEPLOYMENT, ready: true });
      const before = await receiptCount();
      const bad = await infer({
        inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 'x', 4] }],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual({ 'inputs.0.data.2': ['age: must be a number'] });
      const unknown = await infer({
        inputs: [{ name: 'zip', shape: [1], datatype: 'BYTES', data: ['2000'] }],
      });
      expect(unknown.status).toBe(400);
      expect(Object.keys(unknown.body.errors)).toEqual(['inputs.0.name']);
      expect(await receiptCount()).toBe(before);
      expect((await infer({ inputs: [] }, DEPLOYMENT, 'tess')).status).toBe(403);
    });
  });

  it('refuses to deploy a version whose artifact was never stored (422 naming version), appending nothing', async () => {
    await registerStoredVersion(
      test,
      { scientist: people.tess, pipeline: people.pipe },
      {
        model: MODEL,
        version: '3.0.0',
        artifact: Buffer.from('never stored'),
        trainedOn: { name: DATASET, version: '2026-03' },
        store: false,
      },
    );
    const before = await test.countEvents();
    const response = await post(`${API}/deployments`, 'rick', {
      model: MODEL,
      version: '3.0.0',
      environment: 'staging',
      strategy: 'canary',
      canaryPercent: 10,
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'artifact-not-stored',
      errors: { version: [expect.any(String)] },
    });
    expect(await test.countEvents()).toBe(before);
  });

  it('refuses a deployment rolled back to nothing, and the share a lone first canary leaves (409)', async () => {
    const one = (requestId: string) => ({ requestId, rows: [featuresOf(rows[0])] });
    await write('rick', '/deployments', {
      model: MODEL,
      version: '1.0.0',
      environment: 'uat',
      strategy: 'full',
    });
    await write('rick', `/deployments/${MODEL}.uat/rollback`, { reason: 'not yet' });
    const emptied = await predict(one('after-rollback'), 'app', `${MODEL}.uat`);
    expect(emptied.status).toBe(409);
    expect(emptied.body.code).toBe('nothing-deployed');

    await write('rick', '/deployments', {
      model: MODEL,
      version: '1.0.0',
      environment: 'pilot',
      strategy: 'canary',
      canaryPercent: 20,
    });
    const outside = await predict(one(requestIdOn('stable', 20)), 'app', `${MODEL}.pilot`);
    expect(outside.status).toBe(409);
    expect(outside.body.code).toBe('no-stable-version');
    const inside = await predict(one(requestIdOn('canary', 20)), 'app', `${MODEL}.pilot`);
    // No evaluation by Attest in pilot names the [N, 4] input's columns: refused, not guessed.
    expect(inside.status).toBe(409);
    expect(inside.body.code).toBe('columns-unknown');
  });

  it('keeps the subject reference and the inputs only as keyed hashes in the stored receipt', async () => {
    const response = await predict({
      requestId: 'privacy-1',
      subjectRef: 'customer-31337',
      rows: [featuresOf(rows[9])],
    });
    expect(response.status).toBe(200);
    const stored = await sql.query(
      'SELECT receipt::text AS receipt FROM decision_receipts WHERE receipt_id = $1',
      [response.body.predictions[0].receiptId],
    );
    const receipt = stored.rows[0].receipt as string;
    expect(receipt).not.toContain('customer-31337');
    expect(receipt).not.toContain('"income"');
    expect(JSON.parse(receipt)).toMatchObject({
      subjectRef: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      inputDigest: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      requestId: 'privacy-1',
      version: '1.0.0',
    });
    // The same ref as every other record of this subject (a deletion request's, for one).
    expect(JSON.parse(receipt).subjectRef).toBe(test.app.get(SubjectHasher).ref('customer-31337'));
  });

  it('refuses a retired deployment with 409 and writes no receipt', async () => {
    await write('rick', `/deployments/${DEPLOYMENT}/retirement`, { reason: 'replaced' });
    const before = await receiptCount();
    const response = await predict({ requestId: 'late', rows: [featuresOf(rows[0])] });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('deployment-retired');
    expect(await receiptCount()).toBe(before);
  });
});
