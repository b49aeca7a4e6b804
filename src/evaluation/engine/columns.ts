import { EvaluationFailed } from './evaluation-failed';

/**
 * The dataset columns an evaluation reads, held column by column for the whole file: a numeric
 * column as a Float64Array, a text column as a code per row into its dictionary of distinct
 * values. Columns the evaluation does not need are never stored.
 */

/** Why a column is read, for messages and for the error's field. */
export type ColumnUse = { field: string; what: string };

export class NumericColumn {
  values: Float64Array;
  /** An integer input (int32/int64) takes it: fractional values are refused. */
  integer = false;
  constructor(
    readonly name: string,
    /** The first use, or the integer input that makes it integer (what a refusal names). */
    public use: ColumnUse,
    capacity: number,
  ) {
    this.values = new Float64Array(capacity);
  }
}

export class TextColumn {
  codes: Uint32Array;
  readonly dictionary: string[] = [];
  readonly lookup = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly use: ColumnUse,
    capacity: number,
  ) {
    this.codes = new Uint32Array(capacity);
  }

  /** Row values as strings (shared dictionary entries, no copies). */
  strings(rows: number, start = 0): string[] {
    const out = new Array<string>(rows);
    const { codes, dictionary } = this;
    for (let i = 0; i < rows; i++) out[i] = dictionary[codes[start + i]];
    return out;
  }

  /** Rows of each code. */
  counts(rows: number): Float64Array {
    const counts = new Float64Array(this.dictionary.length);
    for (let i = 0; i < rows; i++) counts[this.codes[i]]++;
    return counts;
  }
}

/** Which columns a store holds, so a reader in another thread can build the same store. */
export type ColumnSpec = {
  rows: number;
  numeric: { name: string; use: ColumnUse; integer: boolean }[];
  text: { name: string; use: ColumnUse }[];
};

/**
 * Rows [from, to) of every column, as copies a thread can transfer: each text column's codes
 * with the dictionary values first seen in these rows (in code order).
 */
export type RowBatch = {
  from: number;
  numeric: Float64Array[];
  codes: Uint32Array[];
  newValues: string[][];
  lines: Uint32Array;
};

/** The columns read from a CSV file, in the order the header names them. */
export class ColumnStore {
  readonly numeric = new Map<string, NumericColumn>();
  readonly text = new Map<string, TextColumn>();
  /** The file line each row ended on (for messages). */
  lines: Uint32Array;
  rows = 0;
  /** Rows ever added (takeBatch forgets rows, not this count). */
  added = 0;
  private capacity: number;
  private numericAt: { index: number; column: NumericColumn }[] = [];
  private textAt: { index: number; column: TextColumn }[] = [];
  private fields = 0;

  constructor(readonly expectedRows: number) {
    this.capacity = Math.max(1024, expectedRows + 1);
    this.lines = new Uint32Array(this.capacity);
  }

  needNumeric(name: string, use: ColumnUse, integer = false): NumericColumn {
    let column = this.numeric.get(name);
    if (!column) this.numeric.set(name, (column = new NumericColumn(name, use, this.capacity)));
    if (integer && !column.integer) {
      column.integer = true;
      column.use = use;
    }
    return column;
  }

  needText(name: string, use: ColumnUse): TextColumn {
    let column = this.text.get(name);
    if (!column) this.text.set(name, (column = new TextColumn(name, use, this.capacity)));
    return column;
  }

  static from(spec: ColumnSpec): ColumnStore {
    const store = new ColumnStore(spec.rows);
    for (const { name, use, integer } of spec.numeric) store.needNumeric(name, use, integer);
    for (const { name, use } of spec.text) store.needText(name, use);
    return store;
  }

  spec(): ColumnSpec {
    return {
      rows: this.expectedRows,
      numeric: [...this.numeric.values()].map(({ name, use, integer }) => ({
        name,
        use,
        integer,
      })),
      text: [...this.text.values()].map(({ name, use }) => ({ name, use })),
    };
  }

  /**
   * Every row held, as a batch numbered from row `at` of the file, and forgets them (the
   * dictionaries stay): a reader keeps one chunk's rows at a time. `dictionarySizes` holds how
   * much of each text column's dictionary the receiver already has, and is brought up to date.
   */
  takeBatch(at: number, dictionarySizes: number[]): RowBatch {
    const rows = this.rows;
    const text = [...this.text.values()];
    const batch: RowBatch = {
      from: at,
      numeric: [...this.numeric.values()].map((column) => column.values.slice(0, rows)),
      codes: text.map((column) => column.codes.slice(0, rows)),
      newValues: text.map((column, c) => {
        const known = dictionarySizes[c] ?? 0;
        dictionarySizes[c] = column.dictionary.length;
        return column.dictionary.slice(known);
      }),
      lines: this.lines.slice(0, rows),
    };
    this.rows = 0;
    return batch;
  }

  /** Appends a batch made by a store of the same spec. */
  append(batch: RowBatch): void {
    const count = batch.lines.length;
    if (batch.from !== this.rows)
      throw new Error(`a batch from row ${batch.from} after ${this.rows} rows`);
    while (this.rows + count > this.capacity) this.grow();
    [...this.numeric.values()].forEach((column, c) =>
      column.values.set(batch.numeric[c], this.rows),
    );
    [...this.text.values()].forEach((column, c) => {
      for (const value of batch.newValues[c]) {
        column.lookup.set(value, column.dictionary.length);
        column.dictionary.push(value);
      }
      column.codes.set(batch.codes[c], this.rows);
    });
    this.lines.set(batch.lines, this.rows);
    this.rows += count;
    this.added += count;
  }

  /** Finds every needed column in the header; a column it lacks fails the evaluation. */
  takeHeader(header: string[]): void {
    const position = new Map<string, number>();
    header.forEach((name, index) => {
      if (!position.has(name)) position.set(name, index);
    });
    const find = (column: NumericColumn | TextColumn): number => {
      const index = position.get(column.name);
      if (index === undefined) {
        throw new EvaluationFailed(
          `the dataset has no column ${column.name} (${column.use.what}); its columns are ${header.join(', ')}`,
          column.use.field,
        );
      }
      return index;
    };
    this.numericAt = [...this.numeric.values()].map((column) => ({ index: find(column), column }));
    this.textAt = [...this.text.values()].map((column) => ({ index: find(column), column }));
    this.fields = header.length;
  }

  /** Stores one data record (a CSV row's fields) ending on file line `line`. */
  add(record: string[], line: number): void {
    if (record.length < this.fields) {
      throw new EvaluationFailed(
        `line ${line} of the dataset has ${record.length} fields, the header ${this.fields}`,
        'dataset',
      );
    }
    const row = this.rows;
    if (row >= this.capacity) this.grow();
    for (let c = 0; c < this.numericAt.length; c++) {
      const { index, column } = this.numericAt[c];
      const text = record[index];
      const value = +text;
      // NaN and ±Infinity fail `value - value === 0`; Number('') and Number(' ') are 0.
      if (!(value - value === 0) || (value === 0 && text.trim() === '')) {
        throw new EvaluationFailed(
          `line ${line}, column ${column.name} of the dataset is ${text.trim() === '' ? 'empty' : 'not a number'}, but ${column.use.what} needs a number in every row`,
          'dataset',
        );
      }
      if (column.integer && !Number.isInteger(value)) {
        throw new EvaluationFailed(
          `line ${line}, column ${column.name} of the dataset is not a whole number, but ${column.use.what} takes integers`,
          'dataset',
        );
      }
      column.values[row] = value;
    }
    for (let c = 0; c < this.textAt.length; c++) {
      const { index, column } = this.textAt[c];
      const text = record[index];
      let code = column.lookup.get(text);
      if (code === undefined) {
        code = column.dictionary.length;
        column.dictionary.push(text);
        column.lookup.set(text, code);
      }
      column.codes[row] = code;
    }
    this.lines[row] = line;
    this.rows = row + 1;
    this.added++;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const grown = <T extends Float64Array | Uint32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    for (const column of this.numeric.values()) {
      column.values = grown(column.values, new Float64Array(capacity));
    }
    for (const column of this.text.values()) {
      column.codes = grown(column.codes, new Uint32Array(capacity));
    }
    this.lines = grown(this.lines, new Uint32Array(capacity));
    this.capacity = capacity;
  }
}
