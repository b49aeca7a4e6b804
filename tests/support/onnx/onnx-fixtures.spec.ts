/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { createHash } from 'node:crypto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { parse as parseCsv } from 'csv-parse/sync';
import { startTestApp } from '../test-app';
import {
  CREDIT_DATASET_SCHEMA,
  type CreditRow,
  creditDatasetChunks,
  creditDatasetCsv,
  creditDatasetRegistration,
  creditRows,
  selectionRates,
} from './credit-dataset';
import {
  FEATURE_ORDER,
  corruptModelBytes,
  labelledLogisticRegressionModel,
  logisticRegressionModel,
  logisticRegressionScore,
  treeEnsembleMargin,
  treeEnsembleModel,
  treeEnsembleScore,
  zipMapModel,
} from './onnx-models';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// Rows chosen away from every tree threshold, so float32 rounding cannot flip a branch.
const ROWS: number[][] = [
  [80, 0.35, 40, 120],
  [30, 0.6, 22, 12],
  [55, 0.2, 27, 48],
  [120, 0.5, 70, 400],
  [35, 0.1, 45, 20],
];

const featuresOf = (rows: number[][]) =>
  new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, FEATURE_ORDER.length]);

async function run(bytes: Uint8Array, rows = ROWS) {
  const session = await InferenceSession.create(bytes);
  try {
    return { session, outputs: await session.run({ features: featuresOf(rows) }) };
  } finally {
    await session.release();
  }
}

describe('ONNX model fixtures', () => {
  it('the logistic regression loads and scores sigmoid(x·w + b) for every row', async () => {
    const { session, outputs } = await run(logisticRegressionModel());
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputMetadata).toEqual([
      { name: 'probability', isTensor: true, type: 'float32', shape: ['N', 1] },
    ]);
    const probability = outputs.probability;
    expect(probability.dims).toEqual([ROWS.length, 1]);
    expect(probability.data).toBeInstanceOf(Float32Array);
    ROWS.forEach((row, i) => {
      expect(
        Math.abs((probability.data as Float32Array)[i] - logisticRegressionScore(row)),
      ).toBeLessThan(1e-6);
    });
  });

  it('the tree ensemble scores sigmoid(margin), the margin being the leaves walked by hand', async () => {
    const { outputs } = await run(treeEnsembleModel());
    const probability = outputs.probability.data as Float32Array;
    ROWS.forEach((row, i) => {
      expect(Math.abs(probability[i] - treeEnsembleScore(row))).toBeLessThan(1e-6);
      expect(probability[i]).toBeGreaterThan(0);
      expect(probability[i]).toBeLessThan(1);
    });
  });

  it('without the explicit Sigmoid the ensemble gives raw margins outside (0, 1)', async () => {
    const { outputs } = await run(treeEnsembleModel({ sigmoid: false }));
    const margin = outputs.margin.data as Float32Array;
    ROWS.forEach((row, i) =>
      expect(Math.abs(margin[i] - treeEnsembleMargin(row))).toBeLessThan(1e-6),
    );
    expect([...margin].some((m) => m < 0 || m > 1)).toBe(true);
  });

  it("onnxruntime ignores a single-target ensemble's LOGISTIC post_transform (why the Sigmoid is explicit)", async () => {
    const { outputs } = await run(treeEnsembleModel({ sigmoid: false, postTransform: 'LOGISTIC' }));
    const margin = outputs.margin.data as Float32Array;
    ROWS.forEach((row, i) =>
      expect(Math.abs(margin[i] - treeEnsembleMargin(row))).toBeLessThan(1e-6),
    );
  });

  it('the labelled variant returns its int64 label as a BigInt64Array beside the probability', async () => {
    const { session, outputs } = await run(labelledLogisticRegressionModel());
    expect(session.outputNames).toEqual(['label', 'probability']);
    expect(session.outputMetadata.map((m) => m.isTensor && m.type)).toEqual(['int64', 'float32']);
    expect(outputs.label.data).toBeInstanceOf(BigInt64Array);
    expect([...(outputs.label.data as BigInt64Array)]).toEqual(
      ROWS.map((row) => (logisticRegressionScore(row) > 0.5 ? 1n : 0n)),
    );
    expect([...(outputs.label.data as BigInt64Array)]).toContain(1n);
    expect([...(outputs.label.data as BigInt64Array)]).toContain(0n);
    ROWS.forEach((row, i) => {
      expect(
        Math.abs((outputs.probability.data as Float32Array)[i] - logisticRegressionScore(row)),
      ).toBeLessThan(1e-6);
    });
  });

  it('the ZipMap variant loads, reports its only output as non-tensor, and cannot be run', async () => {
    const session = await InferenceSession.create(zipMapModel());
    try {
      // onnxruntime-node 1.30 reports seq(map) outputs as { name, isTensor: false } and refuses
      // to run a graph whose output it cannot hand back.
      expect(session.outputMetadata).toEqual([{ name: 'output_probability', isTensor: false }]);
      await expect(session.run({ features: featuresOf(ROWS) })).rejects.toThrow(
        'Non tensor type is temporarily not supported',
      );
    } finally {
      await session.release();
    }
  });

  it('the corrupt bytes are refused when a session is created', async () => {
    await expect(InferenceSession.create(corruptModelBytes())).rejects.toThrow(
      /protobuf parsing failed/,
    );
  });

  it('every builder gives the same bytes each call, with the stated header', () => {
    const builders = {
      logisticRegressionModel,
      treeEnsembleModel,
      labelledLogisticRegressionModel,
      zipMapModel,
      corruptModelBytes,
    };
    const hashes = Object.values(builders).map((build) => sha256(build()));
    expect(Object.values(builders).map((build) => sha256(build()))).toEqual(hashes);
    expect(new Set(hashes).size).toBe(hashes.length);

    const lr = onnx.ModelProto.decode(logisticRegressionModel());
    expect(Number(lr.irVersion)).toBe(8);
    expect(lr.producerName).toBe('attest-fixtures');
    expect(lr.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    const tree = onnx.ModelProto.decode(treeEnsembleModel());
    expect(tree.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 17],
      ['ai.onnx.ml', 3],
    ]);
  });
});

describe('synthetic credit dataset', () => {
  const parse = (csv: string): CreditRow[] =>
    parseCsv(csv, {
      columns: true,
      cast: (value, context) => (context.header ? value : castCell(value, context.column)),
    });
  const castCell = (value: string, column: unknown) =>
    column === 'age_band' || column === 'sex' ? value : Number(value);

  it('is the same for the same seed and different for another', () => {
    const a = creditDatasetCsv({ seed: 7, rows: 500 });
    expect(creditDatasetCsv({ seed: 7, rows: 500 })).toBe(a);
    expect(sha256(Buffer.from(creditDatasetCsv({ seed: 8, rows: 500 })))).not.toBe(
      sha256(Buffer.from(a)),
    );
    expect(a.split('\n')).toHaveLength(502); // header, 500 rows, the final line end
  });

  it('has a header naming the registration schema, column for column', () => {
    const header = creditDatasetCsv({ seed: 1, rows: 1 }).split('\n')[0];
    expect(header.split(',')).toEqual(CREDIT_DATASET_SCHEMA.map((field) => field.name));
    expect(
      CREDIT_DATASET_SCHEMA.filter((f) => 'protectedAttribute' in f).map((f) => f.name),
    ).toEqual(['age_band', 'sex']);
  });

  it('streams as chunks whose concatenation is the whole CSV', async () => {
    const chunks: string[] = [];
    for await (const chunk of creditDatasetChunks({ seed: 3, rows: 2500, chunkRows: 1000 })) {
      chunks.push(chunk);
    }
    expect(chunks).toHaveLength(3);
    expect(chunks.join('')).toBe(creditDatasetCsv({ seed: 3, rows: 2500 }));
  });

  it("records the model's own score as pipeline_score, and defaults drawn from it (calibrated)", async () => {
    const rows = parse(creditDatasetCsv({ seed: 11, rows: 20000 }));
    const session = await InferenceSession.create(logisticRegressionModel());
    try {
      const features = rows.slice(0, 2000).map((row) => FEATURE_ORDER.map((name) => row[name]));
      const { probability } = await session.run({ features: featuresOf(features) });
      features.forEach((_, i) =>
        expect(
          Math.abs((probability.data as Float32Array)[i] - rows[i].pipeline_score),
        ).toBeLessThan(1e-6),
      );
    } finally {
      await session.release();
    }
    // Calibration: within each score band the default rate matches the mean score.
    for (const [low, high] of [
      [0, 0.25],
      [0.25, 0.5],
      [0.5, 0.75],
      [0.75, 1],
    ]) {
      const band = rows.filter((r) => r.pipeline_score >= low && r.pipeline_score < high);
      expect(band.length).toBeGreaterThan(1000);
      const mean = (pick: (r: CreditRow) => number) =>
        band.reduce((sum, r) => sum + pick(r), 0) / band.length;
      expect(Math.abs(mean((r) => r.default) - mean((r) => r.pipeline_score))).toBeLessThan(0.03);
    }
  });

  it('plants a disparity: <25 is selected far more often at 0.5, and only because of the shift', () => {
    const ratio = (rates: Record<string, number>) =>
      Math.min(...Object.values(rates)) / Math.max(...Object.values(rates));
    const planted = selectionRates(creditRows({ seed: 5, rows: 20000 }), 'age_band');
    expect(Object.keys(planted)).toEqual(['<25', '25-34', '35-64', '65+']);
    expect(planted['<25']).toBeGreaterThan(0.7);
    for (const band of ['25-34', '35-64', '65+']) expect(planted[band]).toBeLessThan(0.4);
    expect(ratio(planted)).toBeLessThan(0.8);
    // The same from the approval side (score below 0.5).
    expect(
      ratio(Object.fromEntries(Object.entries(planted).map(([k, v]) => [k, 1 - v]))),
    ).toBeLessThan(0.8);
    // Sex carries no planted disparity.
    expect(ratio(selectionRates(creditRows({ seed: 5, rows: 20000 }), 'sex'))).toBeGreaterThan(0.9);

    const unshifted = selectionRates(
      creditRows({ seed: 5, rows: 20000, disparityShift: 0 }),
      'age_band',
    );
    expect(ratio(unshifted)).toBeGreaterThan(0.8);
  });

  it('registers through the API with its schema and protected attributes', async () => {
    const test = await startTestApp();
    try {
      const csv = creditDatasetCsv({ seed: 2, rows: 100 });
      const body = creditDatasetRegistration('v1', `sha256:${sha256(Buffer.from(csv))}`, 100);
      const token = await test.token('ci', ['pipeline']);
      const created = await test
        .anonymous()
        .post('/api/v1/datasets/credit-fixture/versions')
        .set('Authorization', `Bearer ${token}`)
        .send(body);
      expect(created.status).toBe(201);
      const read = await test
        .http()
        .get('/api/v1/datasets/credit-fixture/versions/v1')
        .set('X-Ledger-Position', created.body.ledgerPosition);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({
        rows: 100,
        containsPersonalInformation: true,
        containsSensitiveInformation: false,
        schema: CREDIT_DATASET_SCHEMA.map((field) => ({ protectedAttribute: false, ...field })),
      });
    } finally {
      await test.close();
    }
  });
});
