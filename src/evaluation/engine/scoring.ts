import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { OnnxValueInfo } from '../../model-registry/model.events';
import type { ScoringModel } from '../service-evaluation';
import type { ColumnStore, NumericColumn, TextColumn } from './columns';
import { EvaluationFailed } from './evaluation-failed';

const NUMERIC_TYPES = ['float32', 'float64', 'int32', 'int64'] as const;
type NumericType = (typeof NUMERIC_TYPES)[number];

/** How one model input is fed: its columns, element type and dims. */
type InputPlan =
  | { name: string; type: NumericType; columns: NumericColumn[]; rank: 1 | 2 }
  | { name: string; type: 'string' | 'bool'; columns: TextColumn[]; rank: 1 | 2 };

const BOOLEAN: Record<string, number> = { true: 1, false: 0, '1': 1, '0': 0 };

/**
 * A model loaded for scoring the dataset's rows in batches: the columns each input takes are
 * registered with the store before the file is read, and each batch becomes one `session.run`.
 */
export class ModelScorer {
  private readonly inputs: InputPlan[];
  /** Reused input buffers for full batches (onnxruntime reads them during the run only). */
  private readonly buffers = new Map<string, Float32Array | Float64Array | Int32Array>();

  private constructor(
    private readonly session: InferenceSession,
    private readonly model: ScoringModel,
    /** `` for the candidate, `champion.` for the champion: prefixes error fields. */
    private readonly prefix: string,
    store: ColumnStore,
  ) {
    this.inputs = model.inputs.map((input) => this.plan(input, store));
  }

  /** Loads the artifact and checks the score output is a tensor onnxruntime-node can return. */
  static async open(
    model: ScoringModel,
    role: 'candidate' | 'champion',
    store: ColumnStore,
    options: InferenceSession.SessionOptions,
  ): Promise<ModelScorer> {
    const prefix = role === 'candidate' ? '' : 'champion.';
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(model.artifactPath, options);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error))
        .split(model.artifactPath)
        .join('the file');
      throw new EvaluationFailed(
        `onnxruntime cannot load the ${role}'s stored artifact: ${reason}`,
        role === 'candidate' ? 'version' : 'champion',
      );
    }
    const output = session.outputMetadata.find((meta) => meta.name === model.scoreOutput);
    const field = `${prefix}scoreOutput`;
    if (!output) {
      await session.release();
      throw new EvaluationFailed(
        `the ${role} has no output ${model.scoreOutput}; its outputs are ${session.outputNames.join(', ')}`,
        field,
      );
    }
    if (!output.isTensor) {
      await session.release();
      throw new EvaluationFailed(
        `onnxruntime-node cannot return the sequence/map output ${model.scoreOutput} of the ${role} (a ZipMap's, for one); name a tensor output, such as the probabilities before the ZipMap`,
        field,
      );
    }
    try {
      return new ModelScorer(session, model, prefix, store);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private plan(input: OnnxValueInfo, store: ColumnStore): InputPlan {
    const field = `${this.prefix}columns.${input.name}`;
    const given = this.model.columns[input.name] ?? input.name;
    const names = typeof given === 'string' ? [given] : given;
    const type = input.elementType ?? '';
    const shape = input.shape;
    if (input.kind !== 'tensor') {
      throw new EvaluationFailed(
        `input ${input.name} is a ${input.kind}, not a tensor: an evaluation feeds tensors only`,
        field,
      );
    }
    if (shape !== null && shape.length !== 1 && shape.length !== 2) {
      throw new EvaluationFailed(
        `input ${input.name} has ${shape.length} dimensions; an evaluation feeds [N] or [N, k] inputs`,
        field,
      );
    }
    const rank: 1 | 2 = shape?.length === 1 ? 1 : 2;
    if (rank === 1 && names.length !== 1) {
      throw new EvaluationFailed(
        `input ${input.name} is one-dimensional ([N]) and takes one column, but ${names.length} are named`,
        field,
      );
    }
    const width = shape?.[1];
    if (rank === 2 && typeof width === 'number' && width !== names.length) {
      throw new EvaluationFailed(
        `input ${input.name} takes ${width} columns ([N, ${width}]), but ${names.length} ${names.length === 1 ? 'is' : 'are'} named`,
        field,
      );
    }
    if (names.length === 0) {
      throw new EvaluationFailed(`input ${input.name} needs at least one column`, field);
    }
    const use = { field, what: `input ${input.name} (${type})` };
    if ((NUMERIC_TYPES as readonly string[]).includes(type)) {
      const integer = type === 'int32' || type === 'int64';
      return {
        name: input.name,
        type: type as NumericType,
        rank,
        columns: names.map((column) => store.needNumeric(column, use, integer)),
      };
    }
    if (type === 'string' || type === 'bool') {
      return {
        name: input.name,
        type,
        rank,
        columns: names.map((column) => store.needText(column, use)),
      };
    }
    throw new EvaluationFailed(
      `input ${input.name} takes ${type || 'an unknown type'} values; an evaluation feeds float32, float64, int32, int64, string or bool inputs`,
      field,
    );
  }

  /** Scores rows [start, start + count) into `into` at the same positions. */
  async score(store: ColumnStore, start: number, count: number, into: Float64Array): Promise<void> {
    const feeds: Record<string, Tensor> = {};
    for (const input of this.inputs) feeds[input.name] = this.tensor(input, store, start, count);
    let results: InferenceSession.OnnxValueMapType;
    try {
      results = await this.session.run(feeds, [this.model.scoreOutput]);
    } catch (error) {
      throw new EvaluationFailed(
        `onnxruntime could not score the ${this.prefix ? 'champion' : 'candidate'} on lines ${store.lines[start]}–${store.lines[start + count - 1]}: ${firstLine(error)}`,
        this.prefix ? 'champion' : null,
      );
    }
    this.read(results[this.model.scoreOutput] as Tensor, count, into, start);
  }

  private tensor(input: InputPlan, store: ColumnStore, start: number, count: number): Tensor {
    const k = input.columns.length;
    const dims = input.rank === 1 ? [count] : [count, k];
    if (input.type === 'string' || input.type === 'bool') {
      const columns = input.columns;
      if (input.type === 'string') {
        const data = new Array<string>(count * k);
        for (let j = 0; j < k; j++) {
          const { codes, dictionary } = columns[j];
          for (let r = 0; r < count; r++) data[r * k + j] = dictionary[codes[start + r]];
        }
        return new Tensor('string', data, dims);
      }
      const data = new Uint8Array(count * k);
      for (let j = 0; j < k; j++) {
        const column = columns[j];
        const values = column.dictionary.map((text) => BOOLEAN[text.trim().toLowerCase()]);
        for (let r = 0; r < count; r++) {
          const value = values[column.codes[start + r]];
          if (value === undefined) {
            throw new EvaluationFailed(
              `line ${store.lines[start + r]}, column ${column.name} of the dataset is not true, false, 1 or 0, but input ${input.name} takes booleans`,
              'dataset',
            );
          }
          data[r * k + j] = value;
        }
      }
      return new Tensor('bool', data, dims);
    }
    const columns = input.columns as NumericColumn[];
    if (input.type === 'int64') {
      const data = new BigInt64Array(count * k);
      for (let j = 0; j < k; j++) {
        const values = columns[j].values;
        for (let r = 0; r < count; r++) data[r * k + j] = BigInt(values[start + r]);
      }
      return new Tensor('int64', data, dims);
    }
    const data = this.buffer(input.name, input.type, count * k);
    for (let j = 0; j < k; j++) {
      const values = columns[j].values;
      for (let r = 0, at = j; r < count; r++, at += k) data[at] = values[start + r];
    }
    return new Tensor(input.type, data, dims);
  }

  private buffer(
    name: string,
    type: 'float32' | 'float64' | 'int32',
    length: number,
  ): Float32Array | Float64Array | Int32Array {
    const make = (n: number) =>
      type === 'float32'
        ? new Float32Array(n)
        : type === 'float64'
          ? new Float64Array(n)
          : new Int32Array(n);
    const held = this.buffers.get(name);
    if (held && held.length === length) return held;
    const buffer = make(length);
    // Only the full-batch size is kept: the last, shorter batch gets its own.
    if (!held || held.length < length) this.buffers.set(name, buffer);
    return buffer;
  }

  private read(tensor: Tensor, count: number, into: Float64Array, start: number): void {
    const name = this.model.scoreOutput;
    const field = `${this.prefix}scoreOutput`;
    const dims = tensor.dims;
    const width = dims.length === 1 ? 1 : dims.length === 2 ? dims[1] : -1;
    if (dims[0] !== count || (width !== 1 && width !== 2)) {
      throw new EvaluationFailed(
        `the score output ${name} has shape [${dims.join(', ')}] for ${count} rows; an evaluation reads [N], [N, 1] or [N, 2] (column 1: the positive class)`,
        field,
      );
    }
    if (tensor.type === 'string' || tensor.type === 'bool') {
      throw new EvaluationFailed(
        `the score output ${name} holds ${tensor.type} values, not scores; name a numeric output`,
        field,
      );
    }
    const data = tensor.data as ArrayLike<number | bigint>;
    const offset = width === 2 ? 1 : 0;
    if (typeof data[0] === 'bigint') {
      for (let r = 0; r < count; r++) into[start + r] = Number(data[r * width + offset]);
    } else {
      const numbers = data as ArrayLike<number>;
      for (let r = 0; r < count; r++) into[start + r] = numbers[r * width + offset];
    }
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
