import { onnx } from 'onnx-proto';

/**
 * ONNX model fixtures, encoded in code with onnx-proto so no Python or download is needed. Every
 * builder is a pure function of constants: the same call gives the same bytes, so tests may hash
 * them. Each model takes one input, `features`: float32 [N, 4] with the symbolic batch dimension
 * `N`, columns in FEATURE_ORDER. (One matrix input rather than named per-feature inputs: it is what
 * sklearn-onnx and most exporters emit for a numeric model.)
 */

/** Column order of the `features` input; the names are the credit dataset's CSV columns. */
export const FEATURE_ORDER = ['income', 'debt_ratio', 'age', 'credit_history_months'] as const;

export const PRODUCER_NAME = 'attest-fixtures';
export const IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const ONNX_ML_OPSET = 3;

const { DataType } = onnx.TensorProto;
const Attr = onnx.AttributeProto.AttributeType;

/**
 * Logistic regression: probability = sigmoid(features · weights + bias). Income is in thousands of
 * dollars a year, debt_ratio a fraction, age in years, credit history in months.
 */
export const LOGISTIC_REGRESSION = {
  weights: [-0.03, 4.0, -0.001, -0.0002],
  bias: 0.0,
} as const;

/**
 * A gradient-boosted ensemble of three depth ≤ 2 trees, given as plain data so tests can walk it by
 * hand. A branch goes to `left` when `features[feature] <= threshold` (ONNX BRANCH_LEQ).
 * The ensemble's margin is `baseValue` plus the leaves reached; the model's probability is the
 * sigmoid of that margin, applied by an explicit Sigmoid node.
 */
export type TreeNode =
  { leaf: number } | { feature: number; threshold: number; left: TreeNode; right: TreeNode };

export const TREE_ENSEMBLE: { baseValue: number; trees: TreeNode[] } = {
  baseValue: -1.5,
  trees: [
    {
      feature: 1,
      threshold: 0.45,
      left: { feature: 0, threshold: 60, left: { leaf: 0.4 }, right: { leaf: -0.8 } },
      right: { leaf: 1.6 },
    },
    {
      feature: 0,
      threshold: 40,
      left: { leaf: 1.1 },
      right: { feature: 3, threshold: 36, left: { leaf: 0.3 }, right: { leaf: -0.9 } },
    },
    {
      feature: 2,
      threshold: 30,
      left: { feature: 1, threshold: 0.3, left: { leaf: -0.2 }, right: { leaf: 0.7 } },
      right: { leaf: -0.5 },
    },
  ],
};

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The LR score computed by hand, in float32 inputs (as onnxruntime receives them). */
export function logisticRegressionScore(row: readonly number[]): number {
  let z = LOGISTIC_REGRESSION.bias;
  LOGISTIC_REGRESSION.weights.forEach((w, i) => (z += w * Math.fround(row[i])));
  return sigmoid(z);
}

/** The ensemble's raw margin (before the Sigmoid) computed by walking TREE_ENSEMBLE by hand. */
export function treeEnsembleMargin(row: readonly number[]): number {
  let margin = TREE_ENSEMBLE.baseValue;
  for (const tree of TREE_ENSEMBLE.trees) {
    let node = tree;
    while (!('leaf' in node)) {
      node = Math.fround(row[node.feature]) <= Math.fround(node.threshold) ? node.left : node.right;
    }
    margin += node.leaf;
  }
  return margin;
}

export const treeEnsembleScore = (row: readonly number[]): number =>
  sigmoid(treeEnsembleMargin(row));

// ---------------------------------------------------------------------------------------------
// Encoding helpers

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function tensorType(elemType: number, dims: (number | string)[]): onnx.ITypeProto {
  return {
    tensorType: {
      elemType,
      shape: {
        dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
      },
    },
  };
}

const valueInfo = (name: string, type: onnx.ITypeProto): onnx.IValueInfoProto => ({ name, type });

const featuresInput = (): onnx.IValueInfoProto =>
  valueInfo('features', tensorType(DataType.FLOAT, ['N', FEATURE_ORDER.length]));

function floatTensor(name: string, dims: number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dims, dataType: DataType.FLOAT, floatData: [...values] };
}

function int64Tensor(name: string, dims: number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dims, dataType: DataType.INT64, int64Data: [...values] };
}

type AttributeValue =
  | { int: number }
  | { float: number }
  | { string: string }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { strings: readonly string[] };

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  if ('int' in value) return { name, type: Attr.INT, i: value.int };
  if ('float' in value) return { name, type: Attr.FLOAT, f: value.float };
  if ('string' in value) return { name, type: Attr.STRING, s: utf8(value.string) };
  if ('ints' in value) return { name, type: Attr.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: Attr.FLOATS, floats: [...value.floats] };
  return { name, type: Attr.STRINGS, strings: value.strings.map(utf8) };
}

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  options: { domain?: string; attributes?: Record<string, AttributeValue> } = {},
): onnx.INodeProto {
  return {
    opType,
    input: inputs,
    output: outputs,
    name: `${opType}_${outputs[0]}`,
    domain: options.domain ?? '',
    attribute: Object.entries(options.attributes ?? {}).map(([k, v]) => attribute(k, v)),
  };
}

function encodeModel(
  name: string,
  graph: Omit<onnx.IGraphProto, 'name'>,
  options: { ml?: boolean } = {},
): Uint8Array {
  const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: ONNX_OPSET }];
  if (options.ml) opsetImport.push({ domain: 'ai.onnx.ml', version: ONNX_ML_OPSET });
  const bytes = onnx.ModelProto.encode({
    irVersion: IR_VERSION,
    producerName: PRODUCER_NAME,
    producerVersion: '1',
    modelVersion: 1,
    opsetImport,
    graph: { name, ...graph },
  }).finish();
  // encode() may hand back a view into a larger pooled buffer: copy out exactly the model's bytes.
  return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------------------------------------
// Models

/** The logistic regression's weights and nodes: `features` → `probability` [N, 1]. */
function logisticRegressionGraph() {
  const k = FEATURE_ORDER.length;
  return {
    initializer: [
      floatTensor('weights', [k, 1], LOGISTIC_REGRESSION.weights),
      floatTensor('bias', [1], [LOGISTIC_REGRESSION.bias]),
    ],
    node: [
      node('MatMul', ['features', 'weights'], ['logit_raw']),
      node('Add', ['logit_raw', 'bias'], ['logit']),
      node('Sigmoid', ['logit'], ['probability']),
    ],
  };
}

/**
 * MatMul + Add + Sigmoid → `probability` float32 [N, 1]. With `docString` the graph carries it:
 * another file (another digest) with the same scores, one per model version of a test.
 */
export function logisticRegressionModel(docString?: string): Uint8Array {
  return encodeModel('credit_logistic_regression', {
    input: [featuresInput()],
    ...logisticRegressionGraph(),
    output: [valueInfo('probability', tensorType(DataType.FLOAT, ['N', 1]))],
    ...(docString === undefined ? {} : { docString }),
  });
}

/** Flattens an ensemble into the parallel arrays ai.onnx.ml TreeEnsembleRegressor takes. */
function treeEnsembleAttributes(
  ensemble: { baseValue: number; trees: TreeNode[] } = TREE_ENSEMBLE,
): Record<string, AttributeValue> {
  const nodes = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    trueIds: [] as number[],
    falseIds: [] as number[],
  };
  const targets = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  ensemble.trees.forEach((tree, treeId) => {
    let next = 0;
    const visit = (n: TreeNode): number => {
      const id = next++;
      const slot = nodes.treeIds.length;
      nodes.treeIds.push(treeId);
      nodes.nodeIds.push(id);
      if ('leaf' in n) {
        nodes.featureIds.push(0);
        nodes.values.push(0);
        nodes.modes.push('LEAF');
        nodes.trueIds.push(0);
        nodes.falseIds.push(0);
        targets.treeIds.push(treeId);
        targets.nodeIds.push(id);
        targets.weights.push(n.leaf);
        return id;
      }
      nodes.featureIds.push(n.feature);
      nodes.values.push(n.threshold);
      nodes.modes.push('BRANCH_LEQ');
      nodes.trueIds.push(-1);
      nodes.falseIds.push(-1);
      nodes.trueIds[slot] = visit(n.left);
      nodes.falseIds[slot] = visit(n.right);
      return id;
    };
    visit(tree);
  });
  return {
    n_targets: { int: 1 },
    aggregate_function: { string: 'SUM' },
    // NONE on purpose: onnxruntime ignores LOGISTIC for a single-target ensemble, so the
    // probability comes from the explicit Sigmoid node that follows.
    post_transform: { string: 'NONE' },
    base_values: { floats: [ensemble.baseValue] },
    nodes_treeids: { ints: nodes.treeIds },
    nodes_nodeids: { ints: nodes.nodeIds },
    nodes_featureids: { ints: nodes.featureIds },
    nodes_values: { floats: nodes.values },
    nodes_modes: { strings: nodes.modes },
    nodes_truenodeids: { ints: nodes.trueIds },
    nodes_falsenodeids: { ints: nodes.falseIds },
    target_treeids: { ints: targets.treeIds },
    target_nodeids: { ints: targets.nodeIds },
    target_ids: { ints: targets.treeIds.map(() => 0) },
    target_weights: { floats: targets.weights },
  };
}

/**
 * TreeEnsembleRegressor (ai.onnx.ml) → `margin` → explicit Sigmoid → `probability` float32 [N, 1].
 * With `{ sigmoid: false }` the graph stops at the raw margin (output `margin`), which tests use to
 * show the margin is not a probability; `postTransform: 'LOGISTIC'` builds the trap the Sigmoid avoids.
 */
export function treeEnsembleModel(
  options: { sigmoid?: boolean; postTransform?: 'NONE' | 'LOGISTIC' } = {},
): Uint8Array {
  const withSigmoid = options.sigmoid ?? true;
  const attributes = treeEnsembleAttributes();
  if (options.postTransform) attributes.post_transform = { string: options.postTransform };
  const nodes = [
    node('TreeEnsembleRegressor', ['features'], ['margin'], {
      domain: 'ai.onnx.ml',
      attributes,
    }),
  ];
  if (withSigmoid) nodes.push(node('Sigmoid', ['margin'], ['probability']));
  const output = withSigmoid ? 'probability' : 'margin';
  return encodeModel(
    withSigmoid ? 'credit_gradient_boosting' : 'credit_gradient_boosting_margin',
    {
      input: [featuresInput()],
      node: nodes,
      output: [valueInfo(output, tensorType(DataType.FLOAT, ['N', 1]))],
    },
    { ml: true },
  );
}

/**
 * A random gradient-boosted ensemble the size of a production credit model (by default 300
 * full trees of depth 6, 38,100 nodes), over the credit features: each split takes a random feature
 * at a random threshold inside that feature's range in the credit dataset, each leaf a small margin.
 * It is for benchmarks, where the three-tree TREE_ENSEMBLE costs onnxruntime next to nothing.
 */
export function randomTreeEnsemble(
  /** A seeded generator of floats in [0, 1), such as `mulberry32(seed)`. */
  random: () => number,
  options: { trees?: number; depth?: number } = {},
): { baseValue: number; trees: TreeNode[] } {
  const ranges: [number, number][] = [
    [25, 85],
    [0.05, 0.95],
    [18, 85],
    [0, 240],
  ];
  const grow = (depth: number): TreeNode => {
    if (depth === 0) return { leaf: Math.fround((random() - 0.5) * 0.2) };
    const feature = Math.floor(random() * FEATURE_ORDER.length);
    const [low, high] = ranges[feature];
    return {
      feature,
      threshold: Math.fround(low + (high - low) * random()),
      left: grow(depth - 1),
      right: grow(depth - 1),
    };
  };
  const trees: TreeNode[] = [];
  for (let t = 0; t < (options.trees ?? 300); t++) trees.push(grow(options.depth ?? 6));
  return { baseValue: -1, trees };
}

/**
 * `ensemble` (randomTreeEnsemble's, say) as TreeEnsembleRegressor → Sigmoid → `probability`
 * float32 [N, 1], the same graph as treeEnsembleModel().
 */
export function treeEnsembleModelOf(ensemble: {
  baseValue: number;
  trees: TreeNode[];
}): Uint8Array {
  return encodeModel(
    'credit_gradient_boosting_large',
    {
      input: [featuresInput()],
      node: [
        node('TreeEnsembleRegressor', ['features'], ['margin'], {
          domain: 'ai.onnx.ml',
          attributes: treeEnsembleAttributes(ensemble),
        }),
        node('Sigmoid', ['margin'], ['probability']),
      ],
      output: [valueInfo('probability', tensorType(DataType.FLOAT, ['N', 1]))],
    },
    { ml: true },
  );
}

/**
 * The LR with sklearn-onnx's classifier outputs: `label` int64 [N] first (onnxruntime-node hands
 * it back as a BigInt64Array) and `probability` float32 [N, 1] beside it — so a consumer cannot
 * just take the first output.
 */
export function labelledLogisticRegressionModel(): Uint8Array {
  const k = FEATURE_ORDER.length;
  return encodeModel('credit_logistic_regression_labelled', {
    input: [featuresInput()],
    initializer: [
      floatTensor('weights', [k, 1], LOGISTIC_REGRESSION.weights),
      floatTensor('bias', [1], [LOGISTIC_REGRESSION.bias]),
      floatTensor('threshold', [], [0.5]),
      int64Tensor('squeeze_axes', [1], [1]),
    ],
    node: [
      node('MatMul', ['features', 'weights'], ['logit_raw']),
      node('Add', ['logit_raw', 'bias'], ['logit']),
      node('Sigmoid', ['logit'], ['probability']),
      node('Greater', ['probability', 'threshold'], ['positive']),
      node('Cast', ['positive'], ['label_column'], { attributes: { to: { int: DataType.INT64 } } }),
      node('Squeeze', ['label_column', 'squeeze_axes'], ['label']),
    ],
    output: [
      valueInfo('label', tensorType(DataType.INT64, ['N'])),
      valueInfo('probability', tensorType(DataType.FLOAT, ['N', 1])),
    ],
  });
}

/**
 * The LR beside two more inputs a pipeline might feed: `band` string [N] (a category, passed
 * through to the output `band_echo`) and `age_years` int64 [N, 1] (cast to the float output
 * `age_float`). The score is still `probability` float32 [N, 1], the LR's, so tests can check a
 * string and an int64 input are fed without changing it.
 */
export function mixedInputsModel(): Uint8Array {
  return encodeModel('credit_logistic_regression_mixed_inputs', {
    input: [
      featuresInput(),
      valueInfo('band', tensorType(DataType.STRING, ['N'])),
      valueInfo('age_years', tensorType(DataType.INT64, ['N', 1])),
    ],
    initializer: logisticRegressionGraph().initializer,
    node: [
      ...logisticRegressionGraph().node,
      node('Identity', ['band'], ['band_echo']),
      node('Cast', ['age_years'], ['age_float'], { attributes: { to: { int: DataType.FLOAT } } }),
    ],
    output: [
      valueInfo('probability', tensorType(DataType.FLOAT, ['N', 1])),
      valueInfo('band_echo', tensorType(DataType.STRING, ['N'])),
      valueInfo('age_float', tensorType(DataType.FLOAT, ['N', 1])),
    ],
  });
}

/**
 * The LR ending, as sklearn-onnx does by default, in a ZipMap: the only output,
 * `output_probability`, is seq(map(int64, float)) — one {0: p0, 1: p1} per row. No tensor output.
 */
export function zipMapModel(): Uint8Array {
  const k = FEATURE_ORDER.length;
  return encodeModel(
    'credit_logistic_regression_zipmap',
    {
      input: [featuresInput()],
      initializer: [
        floatTensor('weights', [k, 1], LOGISTIC_REGRESSION.weights),
        floatTensor('bias', [1], [LOGISTIC_REGRESSION.bias]),
        floatTensor('one', [], [1]),
      ],
      node: [
        node('MatMul', ['features', 'weights'], ['logit_raw']),
        node('Add', ['logit_raw', 'bias'], ['logit']),
        node('Sigmoid', ['logit'], ['p1']),
        node('Sub', ['one', 'p1'], ['p0']),
        node('Concat', ['p0', 'p1'], ['probabilities'], { attributes: { axis: { int: 1 } } }),
        node('ZipMap', ['probabilities'], ['output_probability'], {
          domain: 'ai.onnx.ml',
          attributes: { classlabels_int64s: { ints: [0, 1] } },
        }),
      ],
      output: [
        valueInfo('output_probability', {
          sequenceType: {
            elemType: {
              mapType: {
                keyType: DataType.INT64,
                valueType: { tensorType: { elemType: DataType.FLOAT } },
              },
            },
          },
        }),
      ],
    },
    { ml: true },
  );
}

/** Bytes that are not an ONNX model (a protobuf parser gives up on them). */
export function corruptModelBytes(): Uint8Array {
  return utf8('this is not an ONNX model \u0000\u00ff\u00fe attest-fixtures\n');
}
