import { parentPort } from 'node:worker_threads';
import { ColumnStore, type ColumnSpec, type RowBatch } from './columns';
import { EvaluationFailed } from './evaluation-failed';
import { inputDistribution } from './measures';
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

async function read({ id, path, spec, distribution }: Extract<ReaderRequest, { type: 'read' }>) {
  const reply = (message: ReaderReply, transfer: ArrayBuffer[] = []) =>
    port!.postMessage(message, transfer);
  const store = ColumnStore.from(spec);
  // The baseline's columns are kept whole here (the rest leaves chunk by chunk), so their
  // deciles and counts are measured in this thread while the last batches are scored.
  const kept = ColumnStore.from({
    rows: spec.rows,
    numeric: spec.numeric.filter((column) => distribution.numeric.includes(column.name)),
    text: spec.text.filter((column) => distribution.categorical.includes(column.name)),
  });
  const dictionarySizes: number[] = [];
  let at = 0;
  try {
    await readCsvInto(
      path,
      store,
      () => {
        const batch = store.takeBatch(at, dictionarySizes);
        kept.append(keptPart(batch, spec, kept));
        at += batch.lines.length;
        reply({ type: 'rows', id, batch }, buffersOf(batch));
      },
      () => stopped.has(id),
    );
    if (stopped.has(id)) return;
    reply({
      type: 'end',
      id,
      distribution: inputDistribution(
        distribution,
        (name) => kept.numeric.get(name)!.values,
        (name) => kept.text.get(name)!,
        kept.rows,
      ),
    });
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

/** The kept columns' share of a batch (copied: the batch itself is transferred). */
function keptPart(batch: RowBatch, spec: ColumnSpec, kept: ColumnStore): RowBatch {
  const numeric: Float64Array[] = [];
  spec.numeric.forEach((column, c) => {
    if (kept.numeric.has(column.name)) numeric.push(batch.numeric[c]);
  });
  const codes: Uint32Array[] = [];
  const newValues: string[][] = [];
  spec.text.forEach((column, c) => {
    if (!kept.text.has(column.name)) return;
    codes.push(batch.codes[c]);
    newValues.push(batch.newValues[c]);
  });
  return { from: kept.rows, numeric, codes, newValues, lines: batch.lines };
}

function buffersOf(batch: RowBatch): ArrayBuffer[] {
  return [...batch.numeric, ...batch.codes, batch.lines].map(
    (array) => array.buffer as ArrayBuffer,
  );
}
