import { parentPort } from 'node:worker_threads';
import { ColumnStore, type RowBatch } from './columns';
import { EvaluationFailed } from './evaluation-failed';
import { readCsvInto } from './read-csv';
import type { ReaderReply, ReaderRequest } from './reader-protocol';

/**
 * A scoring worker's dataset reader thread: parses the CSV file and posts the needed columns
 * chunk by chunk (transferred, not copied), so the file is parsed while onnxruntime scores the
 * rows already read (`session.run` holds the scoring thread for the length of a batch).
 */
const port = parentPort;
if (!port) throw new Error('reader-thread runs as a worker thread of an evaluation worker');

const stopped = new Set<number>();
let queue = Promise.resolve();

port.on('message', (request: ReaderRequest) => {
  if (request.type === 'stop') {
    stopped.add(request.id);
    return;
  }
  queue = queue.then(() => read(request));
});

async function read({ id, path, spec }: Extract<ReaderRequest, { type: 'read' }>) {
  const reply = (message: ReaderReply, transfer: ArrayBuffer[] = []) =>
    port!.postMessage(message, transfer);
  const store = ColumnStore.from(spec);
  const dictionarySizes: number[] = [];
  let at = 0;
  try {
    await readCsvInto(
      path,
      store,
      () => {
        const batch = store.takeBatch(at, dictionarySizes);
        at += batch.lines.length;
        reply({ type: 'rows', id, batch }, buffersOf(batch));
      },
      () => stopped.has(id),
    );
    reply({ type: 'end', id });
  } catch (error) {
    reply(
      error instanceof EvaluationFailed
        ? { type: 'failed', id, message: error.message, field: error.field }
        : {
            type: 'error',
            id,
            message: error instanceof Error ? (error.stack ?? error.message) : String(error),
          },
    );
  } finally {
    stopped.delete(id);
  }
}

function buffersOf(batch: RowBatch): ArrayBuffer[] {
  return [...batch.numeric, ...batch.codes, batch.lines].map(
    (array) => array.buffer as ArrayBuffer,
  );
}
