import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import type { SchemaField } from './dataset.events';

/**
 * Why a data file does not fit its registered schema. Messages name lines, columns and types,
 * never a value: a value may be personal data (README, `PUT /datasets/{name}/versions/{version}/data`).
 */
export class DataDoesNotFitSchema extends Error {
  constructor(
    readonly code:
      'dataset-header-mismatch' | 'dataset-row-malformed' | 'dataset-row-count-mismatch',
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

export type CsvSummary = { rows: number; columns: string[] };

/** Schema types whose values must parse as finite decimal numbers (`integer`/`int`: whole ones). */
const NUMERIC_TYPES = new Set([
  'number',
  'numeric',
  'float',
  'double',
  'decimal',
  'integer',
  'int',
]);
const INTEGER_TYPES = new Set(['integer', 'int']);
const BOOLEAN_TYPES = new Set(['boolean', 'bool']);
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false|0|1)$/i;

/** What a value of `type` must look like, or null when it fits (any text fits a text type). */
function misfit(type: string, value: string): string | null {
  const kind = type.toLowerCase();
  if (NUMERIC_TYPES.has(kind)) {
    if (value.trim() === '') return `is empty, but ${type} values are required`;
    const number = DECIMAL.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isFinite(number)) return `is not a finite number (declared ${type})`;
    if (INTEGER_TYPES.has(kind) && !Number.isInteger(number)) {
      return `is not a whole number (declared ${type})`;
    }
    return null;
  }
  if (BOOLEAN_TYPES.has(kind) && !BOOLEAN.test(value.trim())) {
    return `is not true, false, 1 or 0 (declared ${type})`;
  }
  return null;
}

/**
 * Reads the CSV file at `path` with csv-parse's streaming parser, one record at a time, and checks
 * it against `schema`: the header row must hold exactly the schema's field names (in any order),
 * every row as many fields as the header, and every value fit its field's declared type; and the
 * data rows must number `expectedRows`. The first misfit is thrown as DataDoesNotFitSchema.
 */
export async function checkCsvAgainstSchema(
  path: string,
  schema: readonly SchemaField[],
  expectedRows: number,
): Promise<CsvSummary> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  let header: string[] | null = null;
  let types: string[] = [];
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (header === null) {
        header = record;
        types = checkHeader(header, schema);
        continue;
      }
      rows++;
      const line = info.lines;
      if (record.length !== header.length) {
        throw new DataDoesNotFitSchema(
          'dataset-row-malformed',
          `line ${line} has ${record.length} fields, the header ${header.length}`,
          {
            line,
            errors: { [`line ${line}`]: [`has ${record.length} fields, not ${header.length}`] },
          },
        );
      }
      for (let index = 0; index < record.length; index++) {
        const problem = misfit(types[index], record[index]);
        if (problem) {
          const column = header[index];
          throw new DataDoesNotFitSchema(
            'dataset-row-malformed',
            `line ${line}, column ${column}: the value ${problem}`,
            { line, column, errors: { [`line ${line}.${column}`]: [`the value ${problem}`] } },
          );
        }
      }
    }
  } catch (error) {
    if (error instanceof CsvError) {
      // Its message may quote the offending field: only the line and the kind of fault are told.
      const line = (error as CsvError & { lines?: number }).lines;
      throw new DataDoesNotFitSchema(
        'dataset-row-malformed',
        `line ${line ?? '?'} is not well-formed CSV (${error.code})`,
        { line, errors: { [`line ${line ?? '?'}`]: [`not well-formed CSV (${error.code})`] } },
      );
    }
    throw error;
  } finally {
    parser.destroy();
  }
  if (header === null) {
    throw new DataDoesNotFitSchema('dataset-header-mismatch', 'the file has no header row', {
      errors: { header: ['a header row naming the schema fields is required'] },
    });
  }
  if (rows !== expectedRows) {
    throw new DataDoesNotFitSchema(
      'dataset-row-count-mismatch',
      `the file holds ${rows} data rows, the registration states ${expectedRows}`,
      {
        rowCount: rows,
        rows: expectedRows,
        errors: { body: [`${rows} rows, not ${expectedRows}`] },
      },
    );
  }
  return { rows, columns: header };
}

/** The declared type of each header column; the header must name each schema field once. */
function checkHeader(header: string[], schema: readonly SchemaField[]): string[] {
  const declared = new Map(schema.map((field) => [field.name, field.type]));
  const seen = new Set<string>();
  const duplicate = header.filter((name) => seen.size === seen.add(name).size);
  const missing = schema.map((field) => field.name).filter((name) => !seen.has(name));
  const extra = header.filter((name) => !declared.has(name));
  if (missing.length === schema.length) {
    // No schema field named: most likely the first row is data, so none of it is repeated back.
    throw new DataDoesNotFitSchema(
      'dataset-header-mismatch',
      `the first row names none of the schema's fields (is the header row missing?): missing ${missing.join(', ')}`,
      { missing, errors: { header: [`names none of ${missing.join(', ')}`] } },
    );
  }
  if (missing.length + extra.length + duplicate.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : null,
      extra.length > 0 ? `not in the schema ${extra.join(', ')}` : null,
      duplicate.length > 0 ? `repeated ${duplicate.join(', ')}` : null,
    ].filter((part): part is string => part !== null);
    throw new DataDoesNotFitSchema(
      'dataset-header-mismatch',
      `the header row does not name the schema's fields: ${parts.join('; ')}`,
      {
        missing,
        extra,
        duplicate,
        errors: { header: parts },
      },
    );
  }
  return header.map((name) => declared.get(name) as string);
}
