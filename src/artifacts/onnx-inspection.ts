import { readFile } from 'node:fs/promises';
import { InferenceSession, env as ortEnv } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import type { ModelArtifactStored, OnnxValueInfo } from '../model-registry/model.events';

/** The file is not a model onnxruntime can load, or has no tensor output to score with. */
export class UnusableModel extends Error {}

export type OnnxMetadata = Pick<
  ModelArtifactStored['data'],
  | 'irVersion'
  | 'producerName'
  | 'producerVersion'
  | 'opsets'
  | 'operators'
  | 'inputs'
  | 'outputs'
  | 'scoreOutput'
  | 'onnxruntimeVersion'
>;

const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};
const FLOAT_TYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/**
 * Loads the stored file in onnxruntime (so a file it cannot run is refused with its reason) and
 * reads the metadata from the protobuf. Decoding needs the bytes: the file is read once, after
 * the session is made and released, so one copy is held at a time (files are at most
 * ARTIFACT_MAX_BYTES, README "Configuration").
 */
export async function inspectOnnx(path: string): Promise<OnnxMetadata> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(path);
  } catch (error) {
    // onnxruntime names the file it was given: a temporary path the caller has no use for.
    const reason = (error instanceof Error ? error.message : String(error))
      .split(path)
      .join('the file');
    throw new UnusableModel(`onnxruntime cannot load the file: ${reason}`);
  }
  await session.release();
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(await readFile(path));
  } catch (error) {
    throw new UnusableModel(`the file is not an ONNX model: ${(error as Error).message}`);
  }
  const graph = model.graph ?? new onnx.GraphProto();
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const operators = new Map<string, { domain: string; opType: string }>();
  for (const node of graph.node ?? []) {
    const domain = node.domain ?? '';
    const opType = node.opType ?? '';
    operators.set(`${domain}\u0000${opType}`, { domain, opType });
  }
  const outputs = (graph.output ?? []).map(valueInfo);
  const score = outputs.find(
    (output) => output.kind === 'tensor' && FLOAT_TYPES.has(output.elementType ?? ''),
  );
  if (!score) throw new UnusableModel('the model has no tensor output');
  return {
    irVersion: Number(model.irVersion),
    producerName: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    opsets: model.opsetImport.map((opset) => ({
      domain: opset.domain ?? '',
      version: Number(opset.version),
    })),
    operators: [...operators.values()].sort(
      (a, b) => compare(a.domain, b.domain) || compare(a.opType, b.opType),
    ),
    // Before IR version 4 initializers were listed among the inputs; they are not fed.
    inputs: (graph.input ?? [])
      .filter((input) => !initializers.has(input.name ?? ''))
      .map(valueInfo),
    outputs,
    scoreOutput: score.name,
    onnxruntimeVersion: ortEnv.versions.node ?? ortEnv.versions.common,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function valueInfo(info: onnx.IValueInfoProto): OnnxValueInfo {
  const name = info.name ?? '';
  const type = info.type;
  if (type?.tensorType) {
    const { elemType, shape } = type.tensorType;
    return {
      name,
      kind: 'tensor',
      elementType: ELEMENT_TYPES[elemType ?? 0] ?? `type-${elemType ?? 0}`,
      shape: shape
        ? (shape.dim ?? []).map((dim) =>
            dim.dimParam ? dim.dimParam : dim.dimValue != null ? Number(dim.dimValue) : null,
          )
        : null,
    };
  }
  const kind = type?.sequenceType
    ? 'sequence'
    : type?.mapType
      ? 'map'
      : type?.optionalType
        ? 'optional'
        : type?.sparseTensorType
          ? 'sparse-tensor'
          : 'unknown';
  return { name, kind, elementType: null, shape: null };
}
