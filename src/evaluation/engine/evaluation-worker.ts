import { parentPort, workerData } from 'node:worker_threads';
import { evaluateInProcess, evaluateWith, type EvaluateOptions } from './evaluate-in-process';
import type { EvaluationProgress } from '../service-evaluation';
import { EvaluationFailed } from './evaluation-failed';
import { ReaderClient } from './reader-client';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

/**
 * A scoring worker thread of the evaluation engine: takes one job at a time from the engine and
 * answers with progress, then the measures or the failure. The file is parsed in a reader
 * thread of its own (reader-thread.ts) while this thread scores. Its imports stay few (onnxruntime-node,
 * csv-parse, the metrics) so a thread starts quickly.
 */
const port = parentPort;
if (!port) throw new Error('evaluation-worker runs as a worker thread of the evaluation engine');
const options = (workerData ?? {}) as EvaluateOptions;
/** Parses the file in its own thread while this one scores (unless `readInThread: false`). */
const reader = options.readInThread === false ? null : new ReaderClient();

port.on('message', (request: WorkerRequest) => {
  const reply = (message: WorkerReply) => port.postMessage(message);
  const onProgress = (progress: EvaluationProgress) =>
    reply({ type: 'progress', id: request.id, progress });
  (reader
    ? evaluateWith(reader.read, request.job, onProgress, options)
    : evaluateInProcess(request.job, onProgress, options)
  ).then(
    (measures) => reply({ type: 'done', id: request.id, measures }),
    (error: unknown) =>
      reply(
        error instanceof EvaluationFailed
          ? { type: 'failed', id: request.id, message: error.message, field: error.field }
          : {
              type: 'error',
              id: request.id,
              message: error instanceof Error ? (error.stack ?? error.message) : String(error),
            },
      ),
  );
});
