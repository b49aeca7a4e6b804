import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse';
import type { ColumnStore } from './columns';
import { EvaluationFailed } from './evaluation-failed';

/** File chunks read at a time; after each, the rows it completed are handed on. */
export const READ_CHUNK_BYTES = 256 * 1024;

/**
 * Reads the dataset's CSV file into `store` with csv-parse's streaming parser (the header may list
 * the columns in any order; only the columns the store needs are kept), calling `onRows` after
 * each chunk that completed rows and waiting for it before reading on. `stopped` ends the read early.
 */
export async function readCsvInto(
  path: string,
  store: ColumnStore,
  onRows: () => Promise<void> | void,
  stopped: () => boolean = () => false,
): Promise<void> {
  await requireDataFile(path);
  let header = true;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    on_record: (record: string[], info) => {
      if (header) {
        header = false;
        store.takeHeader(record);
      } else {
        store.add(record, info.lines);
      }
      return null;
    },
  });
  let failure: unknown = null;
  parser.on('error', (error) => (failure ??= error));
  const write = (chunk: Buffer | null) =>
    new Promise<void>((resolve) => {
      if (chunk === null) parser.end(() => resolve());
      else parser.write(chunk, () => resolve());
    });
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  let handed = 0;
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      await write(chunk);
      if (failure || stopped()) break;
      if (store.added > handed) {
        handed = store.added;
        await onRows();
      }
    }
    if (!failure && !stopped()) await write(null);
  } finally {
    file.destroy();
    parser.destroy();
  }
  if (failure) throw asEvaluationFailed(failure);
  if (stopped()) return;
  if (header) throw new EvaluationFailed('the dataset file has no header row', 'dataset');
  if (store.added > handed) await onRows();
}

async function requireDataFile(path: string): Promise<void> {
  try {
    if ((await stat(path)).isFile()) return;
  } catch {
    // Reported below.
  }
  throw new EvaluationFailed(
    "the dataset version's data file is no longer stored (it may have been purged); store its data again or choose another dataset version",
    'dataset',
  );
}

/** A parse fault tells its line and kind only: csv-parse's own message may quote the field. */
function asEvaluationFailed(error: unknown): unknown {
  if (error instanceof EvaluationFailed) return error;
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    return new EvaluationFailed(
      `line ${line ?? '?'} of the dataset is not well-formed CSV (${error.code})`,
      'dataset',
    );
  }
  return error;
}
