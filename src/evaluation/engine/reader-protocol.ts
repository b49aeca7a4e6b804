import type { ColumnSpec, RowBatch } from './columns';
import type { DistributionColumns, InputDistribution } from './measures';

/** What a scoring worker sends its dataset reader thread. */
export type ReaderRequest =
  | {
      type: 'read';
      id: number;
      path: string;
      spec: ColumnSpec;
      /** Measured by the reader from every row once the file is read. */
      distribution: DistributionColumns;
    }
  /** The scoring failed: stop reading this file. */
  | { type: 'stop'; id: number };

/** What the reader answers: batches of rows, then exactly one of end, failed or error. */
export type ReaderReply =
  | { type: 'rows'; id: number; batch: RowBatch }
  | { type: 'end'; id: number; distribution: InputDistribution }
  | { type: 'failed'; id: number; message: string; field: string | null }
  | { type: 'error'; id: number; message: string };
