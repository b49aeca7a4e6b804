import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DatasetDataStatus1764200000022 } from '../../migrations/1764200000022-dataset-data-status';
import { DatasetRetentionSchedule } from '../../src/datasets/dataset-retention-schedule';
import { streams } from '../../src/ledger/stream-names';
import { creditDatasetCsv, creditDatasetRegistration } from '../support/onnx/credit-dataset';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { createTestDatabase, storeKinds } from '../support/test-database';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The retention sweep as the service runs it (README, "Dataset data"): on its own every
 * DATASET_SWEEP_INTERVAL_MS, or now through POST /datasets/retention-sweeps; and the dataset
 * version view's data status along the way.
 */
describe('the dataset retention sweep, scheduled and on request', () => {
  let test: TestApp;
  let dataDir: string;
  let time: TestClock;
  const tokens: Record<string, string> = {};
  let last = '';

  const as = (who: string) => `Bearer ${tokens[who]}`;

  /** Registers a dataset version with retention and stores its data; its hex digest and size. */
  async function storedVersion(name: string, retention: string, seed: number) {
    const csv = creditDatasetCsv({ seed, rows: 30 });
    const hex = sha256(csv);
    const registered = await test
      .anonymous()
      .post(`/api/v1/datasets/${name}/versions`)
      .set('Authorization', as('ci'))
      .send({ ...creditDatasetRegistration('2026-01', `sha256:${hex}`, 30), retention });
    expect(registered.status).toBe(201);
    last = registered.body.ledgerPosition as string;
    const before = await view(name);
    expect(before.data).toEqual({ status: 'not-stored', digest: `sha256:${hex}` });
    const stored = await test
      .anonymous()
      .put(`/api/v1/datasets/${name}/versions/2026-01/data`)
      .set('Authorization', as('ci'))
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(csv));
    expect(stored.status).toBe(200);
    last = stored.body.ledgerPosition as string;
    return { hex, size: Buffer.byteLength(csv) };
  }

  async function view(name: string) {
    const response = await test
      .anonymous()
      .get(`/api/v1/datasets/${name}/versions/2026-01`)
      .set('Authorization', as('regina'))
      .set('X-Ledger-Position', last)
      .expect(200);
    return response.body as { data: Record<string, unknown> };
  }

  const purgedEvents = async (name: string) =>
    (await test.eventLog.readStream(streams.dataset(name))).filter(
      (event) => event.type === 'DatasetDataPurged',
    );

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'attest-retention-schedule-e2e-'));
    time = new TestClock('2026-01-31T09:00:00.000Z');
    // No sweep on its own here, so each sweep seen is one a test asked for.
    test = await startTestApp({
      clock: time.clock,
      env: { ARTIFACT_DIR: dataDir, DATASET_SWEEP_INTERVAL_MS: '0' },
    });
    tokens.ci = await test.token('ci-pipeline', ['pipeline']);
    tokens.ann = await test.token('ann', ['admin']);
    tokens.cora = await test.token('cora', ['compliance-officer']);
    tokens.regina = await test.token('regina', ['regulator']);
  });
  afterAll(async () => {
    await test?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the data stored, runs a sweep on request for an admin only, and shows it purged', async () => {
    // Stored now; due 28 February (31 January + P1M).
    const { hex, size } = await storedVersion('loans-manual', 'P1M', 31);
    const stored = await view('loans-manual');
    expect(stored.data).toEqual({
      status: 'stored',
      digest: `sha256:${hex}`,
      size,
      storedAt: '2026-01-31T09:00:00.000Z',
    });

    for (const who of ['ci', 'cora', 'regina']) {
      const refused = await test
        .anonymous()
        .post('/api/v1/datasets/retention-sweeps')
        .set('Authorization', as(who))
        .send({});
      expect(refused.status).toBe(403);
    }
    // Not due yet: nothing purged, by request or by the schedule.
    const early = await test
      .anonymous()
      .post('/api/v1/datasets/retention-sweeps')
      .set('Authorization', as('ann'))
      .send({})
      .expect(201);
    expect(early.body).toEqual({
      purged: [],
      eventIds: [],
      ledgerPosition: null,
      sweptAt: '2026-01-31T09:00:00.000Z',
    });
    expect(await readdir(join(dataDir, 'sha256'))).toContain(hex);
  });

  it('runs one sweep at a time, the data purged once', async () => {
    const schedule = test.app.get(DatasetRetentionSchedule);
    expect(schedule.scheduled).toBe(false);
    const { hex } = await storedVersion('loans-scheduled', 'P1M', 32);
    expect(await test.runner.waitFor(last, 10_000)).toBe(true);

    // A request during a sweep waits for it, then sweeps itself: the two never overlap.
    time.set('2026-03-03T09:00:00.000Z');
    const [first, second] = await Promise.all([schedule.sweepNow(), schedule.sweepNow()]);
    const purged = [...first.purged, ...second.purged].sort();
    expect(purged).toEqual(['loans-manual@2026-01', 'loans-scheduled@2026-01']);
    expect(second.purged).toEqual([]);
    expect(await purgedEvents('loans-scheduled')).toHaveLength(1);
    await expect(readdir(join(dataDir, 'sha256'))).resolves.not.toContain(hex);

    last = first.ledgerPosition as string;
    const purgedView = await view('loans-manual');
    expect(purgedView.data).toMatchObject({
      status: 'purged',
      purgedAt: '2026-03-03T09:00:00.000Z',
      storedAt: '2026-01-31T09:00:00.000Z',
    });
    expect(typeof purgedView.data.size).toBe('number');
  });

  it('purges on the schedule with no request, and stops at shutdown', async () => {
    // A short interval, so the schedule is seen to sweep on its own within the test.
    const timed = await startTestApp({
      clock: time.clock,
      env: { ARTIFACT_DIR: dataDir, DATASET_SWEEP_INTERVAL_MS: '25' },
    });
    const main = { test, tokens: { ...tokens } };
    test = timed;
    let open = true;
    try {
      const schedule = timed.app.get(DatasetRetentionSchedule);
      expect(schedule.scheduled).toBe(true);
      time.set('2026-04-01T09:00:00.000Z');
      tokens.ci = await timed.token('ci-pipeline', ['pipeline']);
      tokens.regina = await timed.token('regina', ['regulator']);
      last = '';
      const { hex } = await storedVersion('loans-timer', 'P1D', 33);
      time.set('2026-04-03T09:00:00.000Z');
      // Nothing asks for a sweep here: the schedule's own ticks find the version due.
      while ((await purgedEvents('loans-timer')).length === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await purgedEvents('loans-timer')).toHaveLength(1);
      await expect(readdir(join(dataDir, 'sha256'))).resolves.not.toContain(hex);
      await timed.close();
      open = false;
      expect(schedule.scheduled).toBe(false);
    } finally {
      test = main.test;
      Object.assign(tokens, main.tokens);
      if (open) await timed.close();
    }
  });
});

/** Stores whose database outlives an app, so one can be restarted on it: PostgreSQL only. */
const restartable = storeKinds().filter((kind) => kind === 'postgres');

// With DATABASE_URL (PostgreSQL) only: the embedded store's database is the app's own.
if (restartable.length > 0)
  describe.each(restartable)('dataset data status after the upgrade (%s)', (kind) => {
    it('shows data stored before its column existed, once the projection has replayed', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'attest-data-status-upgrade-e2e-'));
      const database = await createTestDatabase(kind);
      const env = { ARTIFACT_DIR: dataDir, DATASET_SWEEP_INTERVAL_MS: '0' };
      let test: TestApp | undefined = await startTestApp({ kind, database, env });
      try {
        const ci = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
        const csv = creditDatasetCsv({ seed: 41, rows: 30 });
        const hex = sha256(csv);
        const registered = await test
          .anonymous()
          .post('/api/v1/datasets/loans-upgraded/versions')
          .set('Authorization', ci)
          .send(creditDatasetRegistration('2026-01', `sha256:${hex}`, 30));
        expect(registered.status).toBe(201);
        const stored = await test
          .anonymous()
          .put('/api/v1/datasets/loans-upgraded/versions/2026-01/data')
          .set('Authorization', ci)
          .set('Content-Type', 'text/csv')
          .send(Buffer.from(csv));
        expect(stored.status).toBe(200);
        expect(await test.runner.waitFor(stored.body.ledgerPosition as string, 10_000)).toBe(true);

        // As a ledger that stored the data under the release before: migration 22 undone and
        // applied again (every row "not-stored", the projection's checkpoint reset), then a restart.
        const runner = test.app.get(DataSource).createQueryRunner();
        const migration = new DatasetDataStatus1764200000022();
        await migration.down(runner);
        await migration.up(runner);
        const [row] = (await runner.query(
          `SELECT data FROM dataset_versions WHERE name = 'loans-upgraded'`,
        )) as { data: { status: string } }[];
        expect(row.data.status).toBe('not-stored');
        await runner.release();
        await test.close();
        test = undefined;

        test = await startTestApp({ kind, database, env });
        const view = await test
          .anonymous()
          .get('/api/v1/datasets/loans-upgraded/versions/2026-01')
          .set('Authorization', `Bearer ${await test.token('regina', ['regulator'])}`)
          .set('X-Ledger-Position', stored.body.ledgerPosition as string)
          .expect(200);
        expect(view.body.data).toMatchObject({
          status: 'stored',
          digest: `sha256:${hex}`,
          size: Buffer.byteLength(csv),
        });
      } finally {
        await test?.close();
        await database.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
