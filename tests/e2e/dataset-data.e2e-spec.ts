import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetRetentionSweep } from '../../src/datasets/dataset-retention-sweep';
import { streams } from '../../src/ledger/stream-names';
import {
  CREDIT_COLUMNS,
  creditDatasetCsv,
  creditDatasetRegistration,
} from '../support/onnx/credit-dataset';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const PROBLEM = /^application\/problem\+json/;
const ROWS = 120;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('dataset data over HTTP', () => {
  let test: TestApp;
  let dataDir: string;
  let pipeline: string;
  let scientist: string;
  let regulator: string;
  const csv = creditDatasetCsv({ seed: 13, rows: ROWS });
  const lines = csv.trimEnd().split('\n');

  const register = async (version: string, text: string, rows = ROWS, hash = sha256(text)) => {
    const response = await test
      .anonymous()
      .post('/api/v1/datasets/credit-eval/versions')
      .set('Authorization', pipeline)
      .send(creditDatasetRegistration(version, `sha256:${hash}`, rows));
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
  };
  const put = (version: string, text: string, token = pipeline) =>
    test
      .anonymous()
      .put(`/api/v1/datasets/credit-eval/versions/${version}/data`)
      .set('Authorization', token)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(text));
  const stored = async () =>
    (await readdir(join(dataDir, 'sha256')).catch(() => [] as string[])).sort();
  const dataEvents = async () =>
    (await test.eventLog.readStream(streams.dataset('credit-eval'))).filter(
      (event) => event.type === 'DatasetDataStored',
    );
  /** The CSV with data row `row` (1-based; file line row + 1) changed by `change`. */
  const withRow = (row: number, change: (fields: string[]) => string[]) =>
    lines.map((line, i) => (i === row ? change(line.split(',')).join(',') : line)).join('\n') +
    '\n';

  /** Sends `text` registered under `version` with its own digest; expects a 422 keeping nothing. */
  async function refused(version: string, text: string, code: string, rows = ROWS) {
    await register(version, text, rows);
    const before = { events: await test.countEvents(), files: await stored() };
    const response = await put(version, text);
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 422, code });
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect({ events: await test.countEvents(), files: await stored() }).toEqual(before);
    expect(before.files).not.toContain(sha256(text));
    return response;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'attest-dataset-data-e2e-'));
    test = await startTestApp({ env: { ARTIFACT_DIR: dataDir } });
    pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
    scientist = `Bearer ${await test.token('tess', ['data-scientist'])}`;
    regulator = `Bearer ${await test.token('asic-reviewer', ['regulator'])}`;
  });
  afterAll(async () => {
    await test?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores the CSV and records only its digest and aggregates', async () => {
    await register('2026-03', csv);
    const response = await put('2026-03', csv, scientist);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'credit-eval@2026-03' });
    expect(response.body.eventIds).toHaveLength(1);
    expect(await stored()).toEqual([sha256(csv)]);

    const [event] = await dataEvents();
    expect(event.data).toEqual({
      name: 'credit-eval',
      version: '2026-03',
      digest: `sha256:${sha256(csv)}`,
      size: Buffer.byteLength(csv),
      rows: ROWS,
      columns: [...CREDIT_COLUMNS],
      mediaType: 'text/csv',
      storedBy: 'tess',
      storedAt: expect.any(String),
    });
    // No raw value: neither a whole row nor its most distinctive value (the score, 15+ digits).
    const json = JSON.stringify(event, (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    );
    const firstRow = lines[1];
    const score = firstRow.split(',')[CREDIT_COLUMNS.indexOf('pipeline_score')];
    expect(score.length).toBeGreaterThan(8);
    expect(json).not.toContain(firstRow);
    expect(json).not.toContain(score);
  });

  it('takes the same bytes again, once or concurrently, as the same fact', async () => {
    const again = await put('2026-03', csv);
    expect({ status: again.status, eventIds: again.body.eventIds }).toEqual({
      status: 200,
      eventIds: [],
    });
    const racing = await Promise.all([put('2026-03', csv), put('2026-03', csv)]);
    expect(racing.map((response) => response.status)).toEqual([200, 200]);
    expect(await dataEvents()).toHaveLength(1);
    expect(await stored()).toEqual([sha256(csv)]);
  });

  it('refuses bytes that are not the registered contentHash, naming both, keeping nothing', async () => {
    const other = creditDatasetCsv({ seed: 14, rows: ROWS });
    await register('2026-04', other);
    const before = await test.countEvents();
    const response = await put('2026-04', csv);
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.body.code).toBe('dataset-digest-mismatch');
    expect(response.body.detail).toContain(`sha256:${sha256(csv)}`);
    expect(response.body.detail).toContain(`sha256:${sha256(other)}`);
    expect(await test.countEvents()).toBe(before);
    expect(await stored()).toEqual([sha256(csv)]);
  });

  it('refuses a header that does not name the schema fields, naming the columns', async () => {
    const renamed = csv.replace(/^(.*),sex,/, '$1,gender,');
    expect(renamed).not.toBe(csv);
    const response = await refused('2026-05', renamed, 'dataset-header-mismatch');
    expect(response.body.detail).toContain('missing sex');
    expect(response.body.detail).toContain('gender');
    expect(response.body.errors.header).toEqual(expect.any(Array));
  });

  it('refuses a file without its header row, repeating none of its first row', async () => {
    const headless = lines.slice(1).join('\n') + '\n';
    const response = await refused('2026-06', headless, 'dataset-header-mismatch', ROWS - 1);
    expect(response.body.detail).toMatch(/names none of the schema's fields/);
    expect(JSON.stringify(response.body)).not.toContain(lines[1].split(',')[0]);
  });

  it('refuses the first malformed row naming its line and column, never its value', async () => {
    const marker = 'Jane-Citizen-0412';
    const text = withRow(7, (fields) => {
      fields[CREDIT_COLUMNS.indexOf('debt_ratio')] = marker;
      return fields;
    });
    // A later fault too: the first one is reported.
    const both = text.split('\n');
    both[20] = both[20] + ',extra';
    const response = await refused('2026-07', both.join('\n'), 'dataset-row-malformed');
    expect(response.body.detail).toBe(
      'line 8, column debt_ratio: the value is not a finite number (declared number)',
    );
    expect(response.body.errors).toEqual({
      'line 8.debt_ratio': ['the value is not a finite number (declared number)'],
    });
    expect(JSON.stringify(response.body)).not.toContain(marker);
  });

  it('refuses a row with another number of fields, an empty number and an unclosed quote', async () => {
    const short = await refused(
      '2026-08',
      withRow(3, (fields) => fields.slice(1)),
      'dataset-row-malformed',
    );
    expect(short.body.detail).toBe(
      `line 4 has ${CREDIT_COLUMNS.length - 1} fields, the header ${CREDIT_COLUMNS.length}`,
    );
    const empty = await refused(
      '2026-09',
      withRow(2, (fields) => fields.map((field, i) => (i === 0 ? '' : field))),
      'dataset-row-malformed',
    );
    expect(empty.body.detail).toBe(
      'line 3, column income: the value is empty, but number values are required',
    );
    const quoted = await refused(
      '2026-10',
      withRow(5, (fields) => [...fields.slice(0, 7), `"${fields[7]}`]),
      'dataset-row-malformed',
    );
    expect(quoted.body.detail).toMatch(/^line \d+ is not well-formed CSV \(CSV_[A-Z_]+\)$/);
  });

  it('refuses a file whose rows are not the registered count', async () => {
    const other = creditDatasetCsv({ seed: 15, rows: ROWS });
    const response = await refused('2026-11', other, 'dataset-row-count-mismatch', ROWS + 1);
    expect(response.body.detail).toBe(
      `the file holds ${ROWS} data rows, the registration states ${ROWS + 1}`,
    );
  });

  it('answers 404 for a version not registered, and refuses a regulator', async () => {
    expect((await put('2099-01', csv)).status).toBe(404);
    const before = await test.countEvents();
    const refusedRegulator = await put('2026-03', csv, regulator);
    expect(refusedRegulator.status).toBe(403);
    expect(await test.countEvents()).toBe(before);
  });
});

describe('dataset data retention', () => {
  it('deletes the file once the retention has passed and records DatasetDataPurged once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'attest-dataset-retention-e2e-'));
    const time = new TestClock('2026-01-31T09:00:00.000Z');
    const test = await startTestApp({ clock: time.clock, env: { ARTIFACT_DIR: dataDir } });
    try {
      const pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
      const csv = creditDatasetCsv({ seed: 21, rows: 40 });
      const hex = sha256(csv);
      const registered = await test
        .anonymous()
        .post('/api/v1/datasets/credit-old/versions')
        .set('Authorization', pipeline)
        .send({ ...creditDatasetRegistration('2026-01', `sha256:${hex}`, 40), retention: 'P1M' });
      expect(registered.status).toBe(201);
      const put = () =>
        test
          .anonymous()
          .put('/api/v1/datasets/credit-old/versions/2026-01/data')
          .set('Authorization', pipeline)
          .set('Content-Type', 'text/csv')
          .send(Buffer.from(csv));
      const stored = await put();
      expect(stored.status).toBe(200);
      expect(await test.runner.waitFor(stored.body.ledgerPosition as string, 10_000)).toBe(true);
      const sweep = test.app.get(DatasetRetentionSweep);
      const purgedEvents = async () =>
        (await test.eventLog.readStream(streams.dataset('credit-old'))).filter(
          (event) => event.type === 'DatasetDataPurged',
        );

      // 31 January + P1M is 28 February on the calendar (not 30 days on).
      time.set('2026-02-28T08:59:59.999Z');
      expect(await sweep.sweep()).toEqual([]);
      expect((await readdir(join(dataDir, 'sha256'))).includes(hex)).toBe(true);

      time.set('2026-03-03T09:00:00.000Z');
      expect(await sweep.sweep()).toEqual(['credit-old@2026-01']);
      await expect(readdir(join(dataDir, 'sha256'))).resolves.not.toContain(hex);
      const [event] = await purgedEvents();
      expect(event.data).toEqual({
        name: 'credit-old',
        version: '2026-01',
        digest: `sha256:${hex}`,
        retention: 'P1M',
        expiredAt: '2026-02-28T09:00:00.000Z',
        purgedBy: 'attest:retention-sweep',
        purgedAt: '2026-03-03T09:00:00.000Z',
      });

      // Once only; and the data is not taken again.
      expect(await sweep.sweep()).toEqual([]);
      expect(await purgedEvents()).toHaveLength(1);
      const again = await put();
      expect({ status: again.status, code: again.body.code }).toEqual({
        status: 409,
        code: 'dataset-data-purged',
      });
      await expect(readdir(join(dataDir, 'sha256'))).resolves.not.toContain(hex);
    } finally {
      await test.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps expired bytes that another dataset still holds within its retention', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'attest-dataset-retention-shared-e2e-'));
    const time = new TestClock('2026-01-31T09:00:00.000Z');
    const test = await startTestApp({ clock: time.clock, env: { ARTIFACT_DIR: dataDir } });
    try {
      const pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
      const csv = creditDatasetCsv({ seed: 22, rows: 40 });
      const hex = sha256(csv);
      let position = '';
      for (const [name, retention] of [
        ['credit-short', 'P1M'],
        ['credit-long', 'P1Y'],
      ]) {
        const registered = await test
          .anonymous()
          .post(`/api/v1/datasets/${name}/versions`)
          .set('Authorization', pipeline)
          .send({ ...creditDatasetRegistration('2026-01', `sha256:${hex}`, 40), retention });
        expect(registered.status).toBe(201);
        const stored = await test
          .anonymous()
          .put(`/api/v1/datasets/${name}/versions/2026-01/data`)
          .set('Authorization', pipeline)
          .set('Content-Type', 'text/csv')
          .send(Buffer.from(csv));
        expect(stored.status).toBe(200);
        position = stored.body.ledgerPosition as string;
      }
      expect(await test.runner.waitFor(position, 10_000)).toBe(true);

      time.set('2026-03-03T09:00:00.000Z');
      expect(await test.app.get(DatasetRetentionSweep).sweep()).toEqual(['credit-short@2026-01']);
      expect(await readdir(join(dataDir, 'sha256'))).toContain(hex);
    } finally {
      await test.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
