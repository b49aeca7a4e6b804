import { performance } from 'node:perf_hooks';
import type { InferenceSession } from 'onnxruntime-node';
import type { EvaluationJob, EvaluationMeasures, EvaluationProgress } from '../service-evaluation';
import { ColumnStore } from './columns';
import { EvaluationFailed } from './evaluation-failed';
import {
  binaryLabels,
  measure,
  type DistributionColumns,
  type InputDistribution,
} from './measures';
import { readCsvInto } from './read-csv';
import { ModelScorer } from './scoring';

/** Rows per `session.run`: large enough to amortise the call, small enough for steady progress. */
export const BATCH_ROWS = 8192;
/** Progress is reported at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Fills `store` from the dataset file at `path`, calling `onRows` (and waiting for it) whenever
 * rows were added: readCsvInto in this thread, or a reader thread (reader-thread.ts).
 */
export type RowReader = (
  path: string,
  store: ColumnStore,
  onRows: () => Promise<void>,
  /** The baseline a reader in another thread may measure itself, while the rows are scored. */
  distribution: DistributionColumns,
) => Promise<InputDistribution | null>;

const readInThisThread: RowReader = async (path, store, onRows) => {
  await readCsvInto(path, store, onRows);
  return null;
};

export type EvaluateOptions = {
  /** onnxruntime's threads inside one session.run; 0 or absent: onnxruntime's default. */
  intraOpNumThreads?: number;
  batchRows?: number;
  /** The engine's workers parse the file in a reader thread of their own; false: in theirs. */
  readInThread?: boolean;
};

/**
 * Evaluates the job in the calling thread: reads the dataset's needed columns with csv-parse's
 * streaming parser, scores every complete batch of rows with the candidate (and the champion) as
 * soon as it is read, then computes the measures (src/evaluation/metrics). The evaluation engine
 * runs this in a worker thread; tests and the benchmark call it directly to compare.
 */
export function evaluateInProcess(
  job: EvaluationJob,
  onProgress?: (progress: EvaluationProgress) => void,
  options: EvaluateOptions = {},
): Promise<EvaluationMeasures> {
  return evaluateWith(readInThisThread, job, onProgress, options);
}

/** evaluateInProcess with the rows read by `read` (in another thread, say) as they are scored. */
export async function evaluateWith(
  read: RowReader,
  job: EvaluationJob,
  onProgress?: (progress: EvaluationProgress) => void,
  options: EvaluateOptions = {},
): Promise<EvaluationMeasures> {
  const started = performance.now();
  const batchRows = options.batchRows ?? BATCH_ROWS;
  const store = new ColumnStore(job.dataset.rows);
  const label = store.needText(job.labelColumn, {
    field: 'labelColumn',
    what: 'the label column',
  });
  for (const attribute of job.protectedAttributes) {
    store.needText(attribute, { field: 'protectedAttributes', what: 'a protected attribute' });
  }
  if (job.pipelineScoreColumn !== null) {
    store.needNumeric(job.pipelineScoreColumn, {
      field: 'pipelineScoreColumn',
      what: 'the pipeline score column',
    });
  }
  const sessionOptions: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
  };
  const scorers: ModelScorer[] = [];
  try {
    const candidate = await ModelScorer.open(job.candidate, 'candidate', store, sessionOptions);
    scorers.push(candidate);
    const champion = job.champion
      ? await ModelScorer.open(job.champion, 'champion', store, sessionOptions)
      : null;
    if (champion) scorers.push(champion);
    const numericInputs: string[] = [];
    const categoricalInputs: string[] = [];
    for (const input of job.candidate.inputs) {
      const given = job.candidate.columns[input.name] ?? input.name;
      const into =
        input.elementType === 'string' || input.elementType === 'bool'
          ? categoricalInputs
          : numericInputs;
      for (const column of typeof given === 'string' ? [given] : given) {
        if (!into.includes(column)) into.push(column);
      }
    }

    let scores: Float64Array = new Float64Array(Math.max(1, job.dataset.rows));
    let championScores: Float64Array | null = champion ? new Float64Array(scores.length) : null;
    let scored = 0;
    let scoringMs = 0;
    let lastProgress = -Infinity;
    let reported = -1;
    const rowsTotal = job.dataset.rows;
    const report = (force: boolean) => {
      if (!onProgress || scored === reported) return;
      const now = performance.now();
      if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      reported = scored;
      onProgress({ rowsScored: scored, rowsTotal: Math.max(rowsTotal, scored) });
    };
    /** Scores every complete batch read so far (every row read, at the end). */
    const scoreRead = async (all: boolean) => {
      while (store.rows - scored >= batchRows || (all && store.rows > scored)) {
        const count = Math.min(batchRows, store.rows - scored);
        if (scored + count > scores.length) {
          const length = Math.max(scores.length * 2, scored + count);
          scores = grow(scores, length);
          if (championScores) championScores = grow(championScores, length);
        }
        const at = performance.now();
        await candidate.score(store, scored, count, scores);
        if (champion && championScores) await champion.score(store, scored, count, championScores);
        scoringMs += performance.now() - at;
        scored += count;
        report(false);
      }
    };

    const inputDistribution = await read(job.dataset.path, store, () => scoreRead(false), {
      numeric: numericInputs,
      categorical: categoricalInputs,
      minCategoryCount: job.minCategoryCount,
    });
    await scoreRead(true);
    report(true);
    const readMs = performance.now() - started - scoringMs;
    if (store.rows === 0) throw new EvaluationFailed('the dataset has no data rows', 'dataset');

    const metricsStarted = performance.now();
    const labels = binaryLabels(job, label, store.rows);
    const measures = measure(
      job,
      {
        store,
        rows: store.rows,
        scores,
        championScores,
        numericInputs,
        categoricalInputs,
        inputDistribution: inputDistribution ?? undefined,
      },
      labels,
    );
    const metricsMs = performance.now() - metricsStarted;
    return { ...measures, timings: { readMs, scoringMs, metricsMs } };
  } finally {
    for (const scorer of scorers) await scorer.release();
  }
}

function grow(values: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(length);
  grown.set(values);
  return grown;
}
