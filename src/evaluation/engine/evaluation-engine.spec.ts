/** @jest-environment ./tests/support/onnx/onnx-test-environment.ts */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { AppConfigModule } from '../../config/config.module';
import {
  creditDatasetCsv,
  creditRows,
  FEATURE_ORDER,
  labelledLogisticRegressionModel,
  logisticRegressionModel,
  logisticRegressionScore,
  mixedInputsModel,
  treeEnsembleModel,
  treeEnsembleScore,
  zipMapModel,
} from '../../../tests/support/onnx';
import type { OnnxValueInfo } from '../../model-registry/model.events';
import { auc } from '../metrics';
import type {
  EvaluationJob,
  EvaluationMeasures,
  EvaluationProgress,
  ScoringModel,
} from '../service-evaluation';
import { EvaluationEngine, EvaluationEngineModule, EvaluationFailed, evaluateInProcess } from '.';

const ROWS = 3000;
const SEED = 7;
const FEATURES: OnnxValueInfo = {
  name: 'features',
  kind: 'tensor',
  elementType: 'float32',
  shape: ['N', FEATURE_ORDER.length],
};

let dir: string;
const path = (name: string) => join(dir, name);
const rows = [...creditRows({ seed: SEED, rows: ROWS })];
const labels = rows.map((row) => row.default);
const features = (row: (typeof rows)[number]) => FEATURE_ORDER.map((name) => row[name]);

function model(file: string, scoreOutput = 'probability'): ScoringModel {
  return {
    artifactPath: path(file),
    inputs: [FEATURES],
    scoreOutput,
    columns: { features: [...FEATURE_ORDER] },
  };
}

function job(overrides: Partial<EvaluationJob> = {}): EvaluationJob {
  return {
    candidate: model('lr.onnx'),
    champion: null,
    dataset: {
      path: path('credit.csv'),
      rows: ROWS,
    },
    labelColumn: 'default',
    positiveLabel: '1',
    threshold: 0.5,
    protectedAttributes: ['age_band', 'sex'],
    pipelineScoreColumn: null,
    minGroupSize: 30,
    minCategoryCount: 10,
    ...overrides,
  };
}

/** The CSV with the data row `row` (0-based) changed by `edit`. */
async function editedCsv(name: string, row: number, edit: (fields: string[]) => void) {
  const lines = creditDatasetCsv({ seed: SEED, rows: ROWS }).split('\n');
  const fields = lines[row + 1].split(',');
  edit(fields);
  lines[row + 1] = fields.join(',');
  await writeFile(path(name), lines.join('\n'));
}

async function failure(promise: Promise<unknown>): Promise<EvaluationFailed> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EvaluationFailed);
  return error as EvaluationFailed;
}

const withoutTimings = ({ timings: _timings, ...rest }: EvaluationMeasures) => rest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attest-engine-'));
  await writeFile(path('credit.csv'), creditDatasetCsv({ seed: SEED, rows: ROWS }));
  await writeFile(path('lr.onnx'), logisticRegressionModel());
  await writeFile(path('tree.onnx'), treeEnsembleModel());
  await writeFile(path('margin.onnx'), treeEnsembleModel({ sigmoid: false }));
  await writeFile(path('labelled.onnx'), labelledLogisticRegressionModel());
  await writeFile(path('zipmap.onnx'), zipMapModel());
  await writeFile(path('mixed.onnx'), mixedInputsModel());
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EvaluationEngine (worker threads)', () => {
  let engine: EvaluationEngine;
  beforeAll(() => {
    engine = new EvaluationEngine({ workers: 2 });
  });
  afterAll(async () => {
    await engine.onApplicationShutdown();
  });

  it('scores the holdout with the artifact itself and measures it against a champion', async () => {
    const progress: EvaluationProgress[] = [];
    const measures = await engine.evaluate(
      job({ champion: model('tree.onnx'), pipelineScoreColumn: 'pipeline_score' }),
      (p) => progress.push(p),
    );
    const lrScores = rows.map((row) => logisticRegressionScore(features(row)));
    const treeScores = rows.map((row) => treeEnsembleScore(features(row)));
    expect(measures.rows).toBe(ROWS);
    expect(measures.positives).toBe(labels.filter((label) => label === 1).length);
    expect(measures.metrics.auc).toBeCloseTo(auc(lrScores, labels)!, 4);
    expect(measures.metrics.gini).toBeCloseTo(2 * measures.metrics.auc - 1, 10);
    expect(measures.champion).not.toBeNull();
    // The ensemble sums its leaves in float32, which splits some ties of the float64 hand sum.
    expect(measures.champion!.auc).toBeCloseTo(auc(treeScores, labels)!, 3);
    expect(measures.champion!.difference).toBeCloseTo(
      measures.metrics.auc - measures.champion!.auc,
      10,
    );
    expect(measures.champion!.lower95).toBeLessThan(measures.champion!.difference);
    expect(measures.champion!.upper95).toBeGreaterThan(measures.champion!.difference);
    // The dataset's pipeline_score is the LR's probability: only float32 rounding apart.
    expect(measures.pipelineAgreement!.column).toBe('pipeline_score');
    expect(measures.pipelineAgreement!.maxAbsoluteDifference).toBeLessThan(1e-6);
    const ageBand = measures.fairness.find((f) => f.attribute === 'age_band')!;
    expect(ageBand.groups.map((g) => g.group)).toEqual(['25-34', '35-64', '65+', '<25']);
    expect(ageBand.demographicParityRatio).toBeLessThan(0.8);
    expect(measures.fairness.map((f) => f.attribute)).toEqual(['age_band', 'sex']);
    expect(Object.keys(measures.distribution.numeric)).toEqual([...FEATURE_ORDER]);
    for (const name of FEATURE_ORDER) {
      expect(measures.distribution.numeric[name].count).toBe(ROWS);
      expect(measures.distribution.numeric[name].quantiles).toHaveLength(11);
    }
    expect(measures.distribution.score.quantiles).toHaveLength(11);
    expect(measures.distribution.categorical).toEqual({});
    expect(measures.calibrationBins).toHaveLength(10);
    expect(measures.metrics.hosmerLemeshow.degreesOfFreedom).toBe(8);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toEqual({ rowsScored: ROWS, rowsTotal: ROWS });
    expect(measures.timings.scoringMs).toBeGreaterThan(0);
  });

  it('gives what evaluateInProcess gives in the calling thread', async () => {
    const settings = job({ candidate: model('tree.onnx'), champion: model('lr.onnx') });
    const [inWorker, inProcess] = await Promise.all([
      engine.evaluate(settings),
      evaluateInProcess(settings),
    ]);
    expect(withoutTimings(inWorker)).toEqual(withoutTimings(inProcess));
    const treeScores = rows.map((row) => treeEnsembleScore(features(row)));
    expect(inWorker.metrics.auc).toBeCloseTo(auc(treeScores, labels)!, 3);
  });

  it('reads a file of many chunks in its reader thread, batch by batch, as evaluateInProcess does', async () => {
    const rowCount = 30_000;
    await writeFile(path('large.csv'), creditDatasetCsv({ seed: 11, rows: rowCount }));
    const settings = job({
      candidate: model('tree.onnx'),
      champion: model('lr.onnx'),
      pipelineScoreColumn: 'pipeline_score',
      dataset: { ...job().dataset, path: path('large.csv'), rows: rowCount },
    });
    const progress: EvaluationProgress[] = [];
    const inWorker = await engine.evaluate(settings, (p) => progress.push(p));
    expect(inWorker.rows).toBe(rowCount);
    expect(withoutTimings(inWorker)).toEqual(withoutTimings(await evaluateInProcess(settings)));
    expect(progress.map((p) => p.rowsScored)).toEqual(
      [...progress.map((p) => p.rowsScored)].sort((a, b) => a - b),
    );
    expect(progress[progress.length - 1]).toEqual({ rowsScored: rowCount, rowsTotal: rowCount });
  });

  it('reads the float probabilities beside an int64 label output', async () => {
    const measures = await engine.evaluate(job({ candidate: model('labelled.onnx') }));
    const lrScores = rows.map((row) => logisticRegressionScore(features(row)));
    expect(measures.metrics.auc).toBeCloseTo(auc(lrScores, labels)!, 4);
    // The int64 label output itself (0/1, as BigInt) is read as a score too.
    const byLabel = await engine.evaluate(job({ candidate: model('labelled.onnx', 'label') }));
    expect(byLabel.distribution.score.quantiles![0]).toBe(0);
    expect(byLabel.distribution.score.quantiles![10]).toBe(1);
    expect(byLabel.metrics.accuracy).toBeCloseTo(measures.metrics.accuracy, 10);
  });

  it('feeds string and int64 inputs, and pools rare categories as (other) in the baseline', async () => {
    const settings = job({
      candidate: {
        artifactPath: path('mixed.onnx'),
        inputs: [
          FEATURES,
          { name: 'band', kind: 'tensor', elementType: 'string', shape: ['N'] },
          { name: 'age_years', kind: 'tensor', elementType: 'int64', shape: ['N', 1] },
        ],
        scoreOutput: 'probability',
        columns: { features: [...FEATURE_ORDER], band: 'age_band', age_years: 'age' },
      },
      minCategoryCount: 400,
    });
    const measures = await engine.evaluate(settings);
    const lrScores = rows.map((row) => logisticRegressionScore(features(row)));
    expect(measures.metrics.auc).toBeCloseTo(auc(lrScores, labels)!, 4);
    expect(Object.keys(measures.distribution.numeric)).toEqual([...FEATURE_ORDER]);
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.age_band, (counts.get(row.age_band) ?? 0) + 1);
    const rare = [...counts].filter(([, count]) => count < 400);
    expect(rare.map(([band]) => band)).toEqual(['65+']);
    const bands = measures.distribution.categorical.age_band;
    expect(bands.count).toBe(ROWS);
    expect(bands.values.map((v) => v.value).sort()).toEqual(['(other)', '25-34', '35-64', '<25']);
    expect(bands.values.find((v) => v.value === '(other)')!.count).toBe(rare[0][1]);
    expect(bands.values.map((v) => v.value)).not.toContain('65+');
    // A fractional value cannot feed an int64 input: named by line and column, never quoted.
    await editedCsv('fraction.csv', 0, (fields) => (fields[2] = '30.5'));
    const error = await failure(
      engine.evaluate({
        ...settings,
        dataset: { ...settings.dataset, path: path('fraction.csv') },
      }),
    );
    expect(error.message).toBe(
      'line 2, column age of the dataset is not a whole number, but input age_years (int64) takes integers',
    );
  });

  it('queues jobs beyond the pool and completes them all', async () => {
    const single = new EvaluationEngine({ workers: 1 });
    try {
      const first = single.evaluate(job());
      const second = single.evaluate(job({ candidate: model('tree.onnx') }));
      expect(single.queued).toBe(1);
      const [a, b] = await Promise.all([first, second]);
      expect(a.rows).toBe(ROWS);
      expect(b.rows).toBe(ROWS);
      expect(a.metrics.auc).not.toBe(b.metrics.auc);
    } finally {
      await single.onApplicationShutdown();
    }
  });

  it('fails the job of a worker that dies with a plain Error, and replaces the worker', async () => {
    const single = new EvaluationEngine({ workers: 1 });
    try {
      await single.evaluate(job());
      const slots = (single as unknown as { slots: Set<{ worker: Worker }> }).slots;
      const [{ worker }] = [...slots];
      const running = single.evaluate(job());
      // The worker dies during the job (as a native crash would end it).
      await worker.terminate();
      const error = await running.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(EvaluationFailed);
      expect((error as Error).message).toMatch(/^the evaluation worker stopped/);
      const next = await single.evaluate(job());
      expect(next.rows).toBe(ROWS);
      expect([...slots].map((slot) => slot.worker)).not.toContain(worker);
    } finally {
      await single.onApplicationShutdown();
    }
  });

  it('rejects jobs once shut down', async () => {
    const closing = new EvaluationEngine({ workers: 1 });
    const running = Promise.allSettled([closing.evaluate(job()), closing.evaluate(job())]);
    await closing.onApplicationShutdown();
    const [started, queued] = await running;
    expect(started).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/^the evaluation worker stopped/) },
    });
    expect(queued).toMatchObject({
      status: 'rejected',
      reason: { message: 'the evaluation engine shut down before the job started' },
    });
    await expect(closing.evaluate(job())).rejects.toThrow('the evaluation engine has shut down');
  });

  it('refuses a label with more than two values, naming the column', async () => {
    const error = await failure(engine.evaluate(job({ labelColumn: 'age_band' })));
    expect(error.field).toBe('labelColumn');
    expect(error.message).toBe(
      'the label column age_band has 4 distinct values; an evaluation needs a binary label',
    );
  });

  it('refuses a positive label the label column never holds, without quoting it', async () => {
    const error = await failure(engine.evaluate(job({ positiveLabel: 'defaulted' })));
    expect(error.field).toBe('positiveLabel');
    expect(error.message).not.toContain('defaulted');
    expect(error.message).toContain('default');
  });

  it('names the line and column of an empty numeric cell, never a value', async () => {
    await editedCsv('blank.csv', 2, (fields) => (fields[0] = ''));
    const blank = await failure(
      engine.evaluate(job({ dataset: { ...job().dataset, path: path('blank.csv') } })),
    );
    expect(blank.field).toBe('dataset');
    expect(blank.message).toMatch(/^line 4, column income of the dataset is empty/);
    await editedCsv('text.csv', 5, (fields) => (fields[1] = 'secret-value'));
    const text = await failure(
      engine.evaluate(job({ dataset: { ...job().dataset, path: path('text.csv') } })),
    );
    expect(text.message).toMatch(/^line 7, column debt_ratio of the dataset is not a number/);
    expect(text.message).not.toContain('secret-value');
  });

  it('refuses a ZipMap output: onnxruntime-node cannot return it', async () => {
    const error = await failure(
      engine.evaluate(job({ candidate: model('zipmap.onnx', 'output_probability') })),
    );
    expect(error.field).toBe('scoreOutput');
    expect(error.message).toMatch(
      /^onnxruntime-node cannot return the sequence\/map output output_probability .*name a tensor output/,
    );
  });

  it('refuses a score output the model lacks, and an input type it cannot feed', async () => {
    const missing = await failure(engine.evaluate(job({ candidate: model('lr.onnx', 'score') })));
    expect(missing.field).toBe('scoreOutput');
    expect(missing.message).toBe('the candidate has no output score; its outputs are probability');
    const float16 = await failure(
      engine.evaluate(
        job({
          champion: { ...model('lr.onnx'), inputs: [{ ...FEATURES, elementType: 'float16' }] },
        }),
      ),
    );
    expect(float16.field).toBe('champion.columns.features');
    expect(float16.message).toMatch(/^input features takes float16 values; an evaluation feeds/);
  });

  it('refuses scores outside [0, 1]: calibration needs probabilities', async () => {
    const error = await failure(
      engine.evaluate(job({ candidate: model('margin.onnx', 'margin') })),
    );
    expect(error.field).toBe('scoreOutput');
    expect(error.message).toMatch(/score output margin gave a score outside \[0, 1\]/);
  });

  it('refuses a dataset whose data file is gone (purged)', async () => {
    const error = await failure(
      engine.evaluate(job({ dataset: { ...job().dataset, path: path('purged.csv') } })),
    );
    expect(error.field).toBe('dataset');
    expect(error.message).toMatch(/data file is no longer stored/);
  });

  it('refuses a column the dataset lacks, naming the input', async () => {
    const error = await failure(
      engine.evaluate(
        job({
          candidate: {
            ...model('lr.onnx'),
            columns: { features: ['income', 'debt', 'age', 'credit_history_months'] },
          },
        }),
      ),
    );
    expect(error.field).toBe('columns.features');
    expect(error.message).toMatch(/^the dataset has no column debt \(input features \(float32\)\)/);
  });

  it('refuses a label with fewer than two positives', async () => {
    const lines = creditDatasetCsv({ seed: SEED, rows: 40 }).split('\n');
    const header = lines[0].split(',');
    const label = header.indexOf('default');
    const rewritten = lines.map((line, i) => {
      if (i === 0 || line === '') return line;
      const fields = line.split(',');
      fields[label] = i === 1 ? '1' : '0';
      return fields.join(',');
    });
    await writeFile(path('one-positive.csv'), rewritten.join('\n'));
    const error = await failure(
      engine.evaluate(
        job({ dataset: { ...job().dataset, path: path('one-positive.csv'), rows: 40 } }),
      ),
    );
    expect(error.message).toBe(
      'the dataset has 1 positive and 39 negative rows; an evaluation needs at least two of each',
    );
  });
});

describe('EvaluationEngineModule', () => {
  it('provides the engine, its pool sized by EVALUATION_WORKERS, and stops it with the application', async () => {
    @Module({
      imports: [AppConfigModule.forRoot({ EVALUATION_WORKERS: '1' }), EvaluationEngineModule],
    })
    class HostModule {}
    const app = await NestFactory.createApplicationContext(HostModule, { logger: false });
    app.enableShutdownHooks();
    const engine = app.get(EvaluationEngine);
    const [a, b] = await Promise.all([engine.evaluate(job()), engine.evaluate(job())]);
    expect(a).toEqual({ ...b, timings: a.timings });
    await app.close();
    await expect(engine.evaluate(job())).rejects.toThrow('the evaluation engine has shut down');
  });
});
