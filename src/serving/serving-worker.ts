import { parentPort, workerData } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import { ColumnStore } from '../evaluation/engine/columns';
import { EvaluationFailed } from '../evaluation/engine/evaluation-failed';
import { ModelScorer } from '../evaluation/engine/scoring';
import type { ScoreReply, ScoreRequest, ServingWorkerOptions } from './serving-protocol';

/**
 * A serving worker thread (README, "Serving"): holds onnxruntime sessions of the artifacts it was
 * asked to score, loaded on first use and kept least recently used first, and scores each request's
 * rows in one `session.run`, one request at a time, fed as the evaluation engine feeds a batch.
 */
const port = parentPort;
if (!port) throw new Error('serving-worker runs as a worker thread of the serving pool');
const options = workerData as ServingWorkerOptions;

/** One run at a time per thread, and the scorer's reused input buffers are safe. */
const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  executionMode: 'sequential',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
};

type Loaded = { scorer: ModelScorer; store: ColumnStore };
const loaded = new Map<string, Promise<Loaded>>();

async function scorerFor(request: ScoreRequest): Promise<Loaded> {
  const { model } = request;
  const key = JSON.stringify([model.artifactPath, model.scoreOutput, model.columns]);
  let entry = loaded.get(key);
  if (entry) {
    loaded.delete(key);
  } else {
    entry = (async () => {
      const store = new ColumnStore(0);
      return { scorer: await ModelScorer.open(model, 'candidate', store, SESSION_OPTIONS), store };
    })();
    // A load that fails is not kept: the next request tries again.
    entry.catch(() => loaded.delete(key));
  }
  loaded.set(key, entry);
  while (loaded.size > options.maxSessions) {
    const [oldest, evicted] = loaded.entries().next().value as [string, Promise<Loaded>];
    loaded.delete(oldest);
    void evicted.then(({ scorer }) => scorer.release()).catch(() => undefined);
  }
  return entry;
}

async function score(request: ScoreRequest): Promise<Float64Array> {
  const { scorer, store } = await scorerFor(request);
  for (const { name, values } of request.numeric) {
    const column = store.numeric.get(name);
    if (column) column.values = values;
  }
  for (const { name, values } of request.text) {
    const column = store.text.get(name);
    if (!column) continue;
    // Each row its own dictionary entry: the scorer reads dictionary[codes[row]].
    column.dictionary.length = 0;
    column.dictionary.push(...values);
    if (column.codes.length < values.length) column.codes = new Uint32Array(values.length);
    for (let i = 0; i < values.length; i++) column.codes[i] = i;
  }
  if (store.lines.length < request.rows) store.lines = new Uint32Array(request.rows);
  for (let i = 0; i < request.rows; i++) store.lines[i] = i;
  const scores = new Float64Array(request.rows);
  await scorer.score(store, 0, request.rows, scores);
  // Nothing is decided on a score that is not a number: real-time and batch scoring alike.
  if (!scores.every(Number.isFinite)) throw new Error('a score is not a finite number');
  return scores;
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: ScoreRequest) => {
  queue = queue.then(() =>
    score(request).then(
      (scores) =>
        port.postMessage({ id: request.id, scores } satisfies ScoreReply, [
          scores.buffer as ArrayBuffer,
        ]),
      (error: unknown) =>
        port.postMessage({
          id: request.id,
          error: error instanceof Error ? error.message : String(error),
          field: error instanceof EvaluationFailed ? error.field : null,
        } satisfies ScoreReply),
    ),
  );
});
