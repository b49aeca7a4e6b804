import type { Hash, Hmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { FeatureSpec } from '../served-model';

/**
 * The CSV side of batch scoring (README, "Batch scoring"): the upload streamed to a file with a
 * size limit, the header checked against the served model's features, and the rows read back in
 * chunks with csv-parse, each value converted to the feature's kind. Every fault names a line and
 * a column, never a value: a row may be personal information.
 */

/** File chunks read at a time. */
export const READ_CHUNK_BYTES = 256 * 1024;

/** The upload is larger than the limit; nothing was kept. */
export class UploadTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the CSV is larger than ${maxBytes} bytes`);
  }
}

/** A fault in the file: where (line, column when about one) and what, never a value. */
export class CsvFault extends Error {
  constructor(
    message: string,
    /** The column the fault is about, or null (the file as a whole, a malformed line). */
    readonly column: string | null,
    readonly line: number | null,
  ) {
    super(message);
  }
}

/**
 * Counts CSV records as bytes go by, without parsing them: a record ends at a line break outside
 * double quotes (a doubled quote inside a quoted field toggles twice, so it needs no special
 * case), and lines holding nothing are not records, as csv-parse's skip_empty_lines has it. The
 * count is only the job's progress denominator: the rows read back with csv-parse are the truth
 * (a job that succeeds records the rows it scored as its total).
 */
export class RecordCounter {
  records = 0;
  private quoted = false;
  private lineHasContent = false;

  update(bytes: Buffer): void {
    let quoted = this.quoted;
    let content = this.lineHasContent;
    let records = this.records;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === 0x22) {
        quoted = !quoted;
        content = true;
      } else if (byte === 0x0a && !quoted) {
        if (content) records++;
        content = false;
      } else if (byte !== 0x0d) {
        content = true;
      }
    }
    this.quoted = quoted;
    this.lineHasContent = content;
    this.records = records;
  }

  /** Records in everything seen, the last line counted even without a final line break. */
  finish(): number {
    return this.records + (this.lineHasContent ? 1 : 0);
  }
}

/**
 * Streams `content` to a new file at `path` (mode 0600: it may hold personal information),
 * counting records on the way and feeding every byte to `hash` when given. Beyond `maxBytes` it
 * stops reading, removes the file and throws UploadTooLarge. Returns the number of records, the
 * header row included.
 */
export async function saveUpload(
  content: Readable,
  path: string,
  maxBytes: number,
  hash?: Hash | Hmac,
): Promise<{ bytes: number; records: number }> {
  const counter = new RecordCounter();
  let size = 0;
  const file = await open(path, 'wx', 0o600);
  try {
    for await (const chunk of content) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += bytes.length;
      if (size > maxBytes) throw new UploadTooLarge(maxBytes);
      counter.update(bytes);
      hash?.update(bytes);
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await file.write(bytes, written, bytes.length - written);
        written += bytesWritten;
      }
    }
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(path, { force: true });
    content.destroy();
    throw error;
  }
  return { bytes: size, records: counter.finish() };
}

/**
 * Reads `content` to its end feeding `hash`, keeping nothing: a retry's upload, compared with the
 * job it repeats by digest only. Beyond `maxBytes` it stops reading and throws UploadTooLarge.
 */
export async function digestUpload(
  content: Readable,
  maxBytes: number,
  hash: Hash | Hmac,
): Promise<void> {
  let size = 0;
  try {
    for await (const chunk of content) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += bytes.length;
      if (size > maxBytes) throw new UploadTooLarge(maxBytes);
      hash.update(bytes);
    }
  } catch (error) {
    content.destroy();
    throw error;
  }
}

/** The file's first record (its header), read with csv-parse; null when the file has none. */
export async function readHeader(path: string): Promise<string[] | null> {
  const parser = createReadStream(path, { highWaterMark: 64 * 1024 }).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true, to: 1 }),
  );
  try {
    for await (const record of parser as AsyncIterable<string[]>) return record;
    return null;
  } catch (error) {
    throw asCsvFault(error);
  } finally {
    parser.destroy();
  }
}

/** Where each feature, and the subject column if any, lies in a header row. */
export type ColumnPlan = {
  features: { spec: FeatureSpec; index: number }[];
  subjectIndex: number | null;
  /** Columns that are neither: ignored. */
  ignored: string[];
};

/**
 * Checks a header row: every feature named exactly once, and the subject column when one is
 * asked for. Other columns are ignored (an export of an application table carries ids and
 * more); the subject column is never a feature. Throws CsvFault naming the missing or repeated
 * column(s).
 */
export function planColumns(
  header: readonly string[],
  features: readonly FeatureSpec[],
  subjectColumn: string | null,
): ColumnPlan {
  const names = header.map((name) => name.trim());
  const index = new Map<string, number>();
  const repeated = new Set<string>();
  names.forEach((name, at) => {
    if (index.has(name)) repeated.add(name);
    else index.set(name, at);
  });
  const missing = features.filter((feature) => !index.has(feature.name)).map((f) => f.name);
  if (missing.length > 0) {
    throw new CsvFault(
      `the header row does not name the model's feature${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      missing[0],
      1,
    );
  }
  const wanted = [...features.map((f) => f.name), ...(subjectColumn ? [subjectColumn] : [])];
  const twice = wanted.filter((name) => repeated.has(name));
  if (twice.length > 0) {
    throw new CsvFault(`the header row names ${twice.join(', ')} more than once`, twice[0], 1);
  }
  if (subjectColumn !== null && !index.has(subjectColumn)) {
    throw new CsvFault(
      `the header row has no column ${subjectColumn} (the subjectColumn)`,
      subjectColumn,
      1,
    );
  }
  if (subjectColumn !== null && features.some((f) => f.name === subjectColumn)) {
    throw new CsvFault(
      `the subjectColumn ${subjectColumn} is one of the model's features`,
      subjectColumn,
      1,
    );
  }
  const used = new Set(wanted);
  return {
    features: features.map((spec) => ({ spec, index: index.get(spec.name)! })),
    subjectIndex: subjectColumn === null ? null : index.get(subjectColumn)!,
    ignored: names.filter((name) => !used.has(name)),
  };
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A data row converted for scoring: its features by name, its line, its subject reference. */
export type BatchRow = {
  line: number;
  values: Record<string, unknown>;
  subject: string | null;
};

/**
 * One record as a row of named features: numbers parsed for numeric features (decimal notation
 * only), text as written. Throws CsvFault naming the line and the column.
 */
export function toRow(record: readonly string[], line: number, plan: ColumnPlan): BatchRow {
  const values: Record<string, unknown> = {};
  for (const { spec, index } of plan.features) {
    if (index >= record.length) {
      throw new CsvFault(`line ${line} has no value in column ${spec.name}`, spec.name, line);
    }
    const raw = record[index];
    if (spec.kind === 'text') {
      values[spec.name] = raw;
      continue;
    }
    const text = raw.trim();
    if (text === '') {
      throw new CsvFault(`line ${line}, column ${spec.name}: the value is empty`, spec.name, line);
    }
    const number = DECIMAL.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(number)) {
      throw new CsvFault(
        `line ${line}, column ${spec.name}: the value is not a finite number`,
        spec.name,
        line,
      );
    }
    if (spec.integer && !Number.isInteger(number)) {
      throw new CsvFault(
        `line ${line}, column ${spec.name}: the value is not a whole number`,
        spec.name,
        line,
      );
    }
    values[spec.name] = number;
  }
  let subject: string | null = null;
  if (plan.subjectIndex !== null) {
    const given = (record[plan.subjectIndex] ?? '').trim();
    subject = given === '' ? null : given;
  }
  return { line, values, subject };
}

/**
 * Reads the data rows of the CSV at `path` (the header skipped) with csv-parse's streaming
 * parser, converting each with toRow, and hands them to `onChunk` `chunkRows` at a time (the last
 * chunk may be shorter), waiting for it before reading on: at most about one chunk and one file
 * chunk's rows are held at once. The first fault (a malformed line, a bad value) is thrown after
 * the rows before it were handed on, in full chunks only: a chunk holding a bad row is never
 * handed on.
 */
export async function readRowChunks(
  path: string,
  plan: ColumnPlan,
  chunkRows: number,
  onChunk: (rows: BatchRow[]) => Promise<void>,
): Promise<void> {
  let header = true;
  let pending: BatchRow[] = [];
  let fault: unknown = null;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    on_record: (record: string[], info) => {
      if (fault) return null;
      if (header) {
        header = false;
        return null;
      }
      try {
        pending.push(toRow(record, info.lines, plan));
      } catch (error) {
        fault = error;
      }
      return null;
    },
  });
  parser.on('error', (error) => (fault ??= error));
  const write = (chunk: Buffer | null) =>
    new Promise<void>((resolve) => {
      if (chunk === null) parser.end(() => resolve());
      else parser.write(chunk, () => resolve());
    });
  const handFull = async () => {
    while (pending.length >= chunkRows) {
      const chunk = pending.slice(0, chunkRows);
      pending = pending.slice(chunkRows);
      await onChunk(chunk);
    }
  };
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const bytes of file as AsyncIterable<Buffer>) {
      await write(bytes);
      // Full chunks before the fault are handed on; the one holding it is not.
      await handFull();
      if (fault) break;
    }
    if (!fault) {
      await write(null);
      await handFull();
      if (!fault && pending.length > 0) await onChunk(pending);
    }
  } finally {
    file.destroy();
    parser.destroy();
  }
  if (fault) throw asCsvFault(fault);
}

/** A parse fault tells its line and kind only: csv-parse's own message may quote the field. */
function asCsvFault(error: unknown): unknown {
  if (error instanceof CsvFault) return error;
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines ?? null;
    return new CsvFault(`line ${line ?? '?'} is not well-formed CSV (${error.code})`, null, line);
  }
  return error;
}
