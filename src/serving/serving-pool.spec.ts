/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import {
  FEATURE_ORDER,
  creditRows,
  logisticRegressionModel,
  logisticRegressionScore,
  mixedInputsModel,
} from '../../tests/support/onnx';
import type { ServedModel } from './served-model';
import { ScoringFailed, ServingPool } from './serving-pool';

describe('the serving pool (worker threads holding onnxruntime sessions)', () => {
  let dir: string;
  let pool: ServingPool;
  let model: ServedModel;
  const rows = [...creditRows({ seed: 9, rows: 500 })].map((row) =>
    Object.fromEntries(FEATURE_ORDER.map((name) => [name, row[name]])),
  );
  const expected = (row: Record<string, unknown>) =>
    logisticRegressionScore(FEATURE_ORDER.map((name) => row[name] as number));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-serving-pool-'));
    const path = join(dir, 'lr.onnx');
    await writeFile(path, logisticRegressionModel());
    model = {
      deploymentId: 'credit-risk.staging',
      model: 'credit-risk',
      environment: 'staging',
      version: '1.0.0',
      arm: 'stable',
      artifactDigest: `sha256:${'ab'.repeat(32)}`,
      scoring: {
        artifactPath: path,
        inputs: [{ name: 'features', kind: 'tensor', elementType: 'float32', shape: ['N', 4] }],
        scoreOutput: 'probability',
        columns: { features: [...FEATURE_ORDER] },
      },
      threshold: 0.5,
      labels: { positive: '1', negative: '0' },
      evaluationId: null,
      features: FEATURE_ORDER.map((name) => ({ name, kind: 'numeric', integer: false })),
      binning: { source: 'fixed', sourceId: null, score: [], numeric: {}, categorical: {} },
    };
    pool = new ServingPool({ serving: { workers: 2 } } as AppConfig);
  });
  afterAll(async () => {
    await pool?.onModuleDestroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('scores each request in one run, every row in order', async () => {
    const scores = await pool.score(model, rows);
    expect(scores).toHaveLength(rows.length);
    rows.forEach((row, i) => expect(scores[i]).toBeCloseTo(expected(row), 5));
  });

  it('keeps 300 concurrent requests of 1 to 7 rows apart across the threads', async () => {
    const requests = Array.from({ length: 300 }, (_, i) => rows.slice(i, i + 1 + (i % 7)));
    const results = await Promise.all(requests.map((batch) => pool.score(model, batch)));
    results.forEach((scores, r) => {
      expect(scores).toHaveLength(requests[r].length);
      requests[r].forEach((row, i) => expect(scores[i]).toBeCloseTo(expected(row), 5));
    });
  });

  it('feeds string and int64 inputs by name', async () => {
    const path = join(dir, 'mixed.onnx');
    await writeFile(path, mixedInputsModel());
    const mixed: ServedModel = {
      ...model,
      scoring: {
        artifactPath: path,
        inputs: [
          { name: 'features', kind: 'tensor', elementType: 'float32', shape: ['N', 4] },
          { name: 'band', kind: 'tensor', elementType: 'string', shape: ['N'] },
          { name: 'age_years', kind: 'tensor', elementType: 'int64', shape: ['N', 1] },
        ],
        scoreOutput: 'probability',
        columns: { features: [...FEATURE_ORDER], band: 'band', age_years: 'age_years' },
      },
      features: [
        ...model.features,
        { name: 'band', kind: 'text', integer: false },
        { name: 'age_years', kind: 'numeric', integer: true },
      ],
    };
    const some = rows.slice(0, 5).map((row, i) => ({ ...row, band: `b${i}`, age_years: 30 + i }));
    const scores = await pool.score(mixed, some);
    some.forEach((row, i) => expect(scores[i]).toBeCloseTo(expected(row), 5));
  });

  it('fails a request scored to a non-finite number (503), so no caller gets a decision on it', async () => {
    // Inputs too large for float32 reach the model as ±Infinity: −0.03·∞ + 4·∞ is NaN.
    const huge = { ...rows[0], income: 1e300, debt_ratio: 1e300 };
    const failure = await pool.score(model, [rows[0], huge]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ScoringFailed);
    expect((failure as ScoringFailed).status).toBe(503);
    expect((failure as Error).message).toContain('a score is not a finite number');
  });

  it('fails a request whose artifact cannot be loaded (503), and serves the next one', async () => {
    const broken = {
      ...model,
      scoring: { ...model.scoring, artifactPath: join(dir, 'missing.onnx') },
    };
    const failure = await pool.score(broken, rows.slice(0, 1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ScoringFailed);
    expect((failure as ScoringFailed).status).toBe(503);
    expect((failure as Error).message).not.toContain(dir);
    const scores = await pool.score(model, rows.slice(0, 1));
    expect(scores[0]).toBeCloseTo(expected(rows[0]), 5);
  });
});
