/**
 * @jest-environment ./tests/support/onnx/onnx-test-environment.ts
 */
import { createHash } from 'node:crypto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
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
