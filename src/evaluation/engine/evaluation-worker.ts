import { parentPort, workerData } from 'node:worker_threads';
import { evaluateInProcess, type EvaluateOptions } from './evaluate-in-process';
import { EvaluationFailed } from './evaluation-failed';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

/**
 * A scoring worker thread of the evaluation engine: takes one job at a time from the engine and
 * answers with progress, then the measures or the failure. Its imports stay few (onnxruntime-node,
 * csv-parse, the metrics) so a thread starts quickly.
 */
const port = parentPort;
if (!port) throw new Error('evaluation-worker runs as a worker thread of the evaluation engine');
const options = (workerData ?? {}) as EvaluateOptions;

port.on('message', (request: WorkerRequest) => {
  const reply = (message: WorkerReply) => port.postMessage(message);
  evaluateInProcess(
    request.job,
    (progress) => reply({ type: 'progress', id: request.id, progress }),
    options,
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
