import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type { FeatureSpec } from '../served-model';
import {
  type BatchRow,
  CsvFault,
  RecordCounter,
  UploadTooLarge,
  digestUpload,
  planColumns,
  readHeader,
  readRowChunks,
  saveUpload,
} from './batch-csv';

const FEATURES: FeatureSpec[] = [
  { name: 'income', kind: 'numeric', integer: false },
  { name: 'age', kind: 'numeric', integer: true },
  { name: 'region', kind: 'text', integer: false },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attest-batch-csv-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const file = async (name: string, text: string) => {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
};

/** Every record the counter counts, fed in pieces of `size` bytes. */
function count(text: string, size: number): number {
  const counter = new RecordCounter();
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) counter.update(bytes.subarray(at, at + size));
  return counter.finish();
}

describe('RecordCounter', () => {
  const cases: [string, string][] = [
    ['plain, final newline', 'a,b\n1,2\n3,4\n'],
    ['no final newline', 'a,b\n1,2\n3,4'],
    ['CRLF', 'a,b\r\n1,2\r\n3,4\r\n'],
    ['empty lines', 'a,b\n\n1,2\n\n3,4\n\n'],
    ['empty CRLF lines', 'a,b\r\n\r\n1,2\r\n\r\n'],
    ['quoted line breaks and doubled quotes', 'a,b\n"x\ny",2\n"say ""hi""\r\n",4\n'],
    ['a BOM', '\ufeffa,b\n1,2\n'],
  ];
  it.each(cases)('counts the records csv-parse reads (%s), whatever the pieces', (_name, text) => {
    const expected = (parse(text, { bom: true, skip_empty_lines: true }) as string[][]).length;
    for (const size of [1, 2, 3, 7, 1024]) expect(count(text, size)).toBe(expected);
  });
});

describe('saveUpload', () => {
  it('streams the body to a private file and counts its records', async () => {
    const path = join(dir, 'upload-1.csv');
    const text = 'income,age,region\n1,2,north\n3,4,south\n';
    const saved = await saveUpload(Readable.from([Buffer.from(text)]), path, 1024);
    expect(saved).toEqual({ bytes: text.length, records: 3 });
    expect(await readFile(path, 'utf8')).toBe(text);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses more than the limit and keeps nothing', async () => {
    const path = join(dir, 'upload-2.csv');
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(100, 0x31));
    await expect(saveUpload(Readable.from(chunks), path, 550)).rejects.toBeInstanceOf(
      UploadTooLarge,
    );
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('feeds every byte it saves to the hash, in pieces or whole', async () => {
    const text = 'income,age,region\n1,2,north\n3,4,south\n';
    const whole = createHash('sha256').update(text).digest('hex');
    const pieces = [text.slice(0, 5), text.slice(5, 21), text.slice(21)].map((t) => Buffer.from(t));
    const hash = createHash('sha256');
    await saveUpload(Readable.from(pieces), join(dir, 'upload-3.csv'), 1024, hash);
    expect(hash.digest('hex')).toBe(whole);
  });
});

describe('digestUpload', () => {
  it('hashes the body and keeps nothing; refuses more than the limit', async () => {
    const text = 'income,age,region\n1,2,north\n';
    const hash = createHash('sha256');
    await digestUpload(Readable.from([Buffer.from(text)]), 1024, hash);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(text).digest('hex'));
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(100, 0x31));
    await expect(
      digestUpload(Readable.from(chunks), 550, createHash('sha256')),
    ).rejects.toBeInstanceOf(UploadTooLarge);
  });
});

describe('planColumns', () => {
  it('finds every feature in any order, ignores other columns, takes the subject column', () => {
    const plan = planColumns(['id', 'region', ' income', 'age', 'note'], FEATURES, 'id');
    expect(plan.features.map((f) => [f.spec.name, f.index])).toEqual([
      ['income', 2],
      ['age', 3],
      ['region', 1],
    ]);
    expect(plan.subjectIndex).toBe(0);
    expect(plan.ignored).toEqual(['note']);
  });

  it('names the missing feature columns', () => {
    expect(() => planColumns(['income', 'region'], FEATURES, null)).toThrow(
      expect.objectContaining({
        message: "the header row does not name the model's feature age",
        column: 'age',
        line: 1,
      }),
    );
  });

  it('refuses a feature named twice, a missing subject column and a feature as subject', () => {
    expect(() => planColumns(['income', 'age', 'age', 'region'], FEATURES, null)).toThrow(
      expect.objectContaining({ column: 'age' }),
    );
    expect(() => planColumns(['income', 'age', 'region'], FEATURES, 'id')).toThrow(
      expect.objectContaining({ column: 'id' }),
    );
    expect(() => planColumns(['income', 'age', 'region'], FEATURES, 'income')).toThrow(
      expect.objectContaining({ column: 'income' }),
    );
  });
});

describe('readRowChunks', () => {
  const header = 'id,income,age,region\n';
  const rows = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => `c${from + i},${(from + i) * 1.5},${30 + i},r${i % 3}\n`);
  const read = async (path: string, chunkRows: number) => {
    const header = (await readHeader(path))!;
    const plan = planColumns(header, FEATURES, 'id');
    const chunks: BatchRow[][] = [];
    const error = await readRowChunks(path, plan, chunkRows, async (chunk) => {
      chunks.push(chunk);
    }).catch((fault: unknown) => fault);
    return { chunks, error };
  };

  it('hands every row on in chunks, converted, with its line and subject', async () => {
    const path = await file('rows.csv', header + rows(25).join(''));
    const { chunks, error } = await read(path, 10);
    expect(error).toBeUndefined();
    expect(chunks.map((chunk) => chunk.length)).toEqual([10, 10, 5]);
    expect(chunks[0][0]).toEqual({
      line: 2,
      values: { income: 0, age: 30, region: 'r0' },
      subject: 'c0',
    });
    expect(chunks[2][4]).toMatchObject({ line: 26, subject: 'c24' });
  });

  it('fails at a bad value naming the line and column, never the value; full chunks before it are handed on', async () => {
    const lines = rows(30);
    lines[23] = 'c23,SECRET-VALUE,40,r1\n'; // data row 24: line 25
    const path = await file('bad.csv', header + lines.join(''));
    const { chunks, error } = await read(path, 10);
    expect(chunks.map((chunk) => chunk.length)).toEqual([10, 10]);
    expect(error).toBeInstanceOf(CsvFault);
    expect(error).toMatchObject({ line: 25, column: 'income' });
    expect((error as Error).message).toBe(
      'line 25, column income: the value is not a finite number',
    );
    expect((error as Error).message).not.toContain('SECRET');
  });

  it('refuses a fraction for an integer feature, an empty number and a short row', async () => {
    for (const [bad, column, message] of [
      ['c1,1.5,30.5,r1', 'age', 'not a whole number'],
      ['c1,,30,r1', 'income', 'empty'],
      ['c1,2', 'age', 'has no value'],
    ] as const) {
      const path = await file(`bad-${column}-${message}.csv`, `${header}${bad}\n`);
      const { chunks, error } = await read(path, 10);
      expect(chunks).toEqual([]);
      expect(error).toMatchObject({ line: 2, column });
      expect((error as Error).message).toContain(message);
    }
  });

  it('tells a malformed line by its number and csv-parse code only', async () => {
    const path = await file('malformed.csv', `${header}c1,1,2,"open\n`);
    const { error } = await read(path, 10);
    expect(error).toBeInstanceOf(CsvFault);
    expect((error as Error).message).toMatch(/is not well-formed CSV \(CSV_/);
  });
});
