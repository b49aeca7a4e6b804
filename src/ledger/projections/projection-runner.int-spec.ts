import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { newEvent, newEvents } from '../../../tests/support/events';
import { TestApp, startTestApp } from '../../../tests/support/test-app';
import { defaultStoreKind } from '../../../tests/support/test-database';
import type { RecordedEvent } from '../event-log.port';
import { Projection, ReadModelProjection } from './projection';

/** Counts how often each event is applied, and fails once in the middle of its first batch. */
@Injectable()
@ReadModelProjection()
class FlakyCountingProjection implements Projection, OnModuleInit {
  readonly name = 'flaky-counting';
  readonly eventTypes = ['LedgerProbeRecorded'];
  readonly tables = ['test_applied_events'];
  failOnApply: number | undefined;
  /** What the failing apply throws: the handler's own exception unless a test says otherwise. */
  failure = () => new Error('simulated crash in the middle of a batch');
  private applied = 0;
  private signalFailure!: () => void;
  /** Resolves once the simulated crash has happened. */
  readonly failed = new Promise<void>((resolve) => (this.signalFailure = resolve));

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.query(
      'CREATE TABLE IF NOT EXISTS test_applied_events (event_id uuid PRIMARY KEY, stream text NOT NULL, times int NOT NULL)',
    );
  }

  async apply(event: RecordedEvent, manager: EntityManager): Promise<void> {
    this.applied += 1;
    if (this.applied === this.failOnApply) {
      this.signalFailure();
      throw this.failure();
    }
    await manager.query(
      `INSERT INTO test_applied_events (event_id, stream, times) VALUES ($1, $2, 1)
       ON CONFLICT (event_id) DO UPDATE SET times = test_applied_events.times + 1`,
      [event.id, event.stream],
    );
  }
}

@Module({ providers: [FlakyCountingProjection] })
class FlakyProjectionModule {}

describe('ProjectionRunner', () => {
  let t: TestApp;
  let flaky: FlakyCountingProjection;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ imports: [FlakyProjectionModule] });
    flaky = t.app.get(FlakyCountingProjection);
    dataSource = t.app.get(DataSource);
  });

  afterAll(() => t?.close());

  const rows = async (table: string, order: string) =>
    dataSource.query(`SELECT * FROM ${table} ORDER BY ${order}`);

  it('applies each event exactly once when a batch fails midway and is retried', async () => {
    flaky.failOnApply = 10;
    for (let i = 0; i < 5; i++)
      await t.eventLog.append(`dataset-exactly-once-${i}`, newEvents(6), {
        expectedRevision: 'no_stream',
      });
    const { position } = await t.eventLog.append(
      'model-other',
      [newEvent({ type: 'LedgerProbeNoted' })],
      {
        expectedRevision: 'no_stream',
      },
    );

    expect(await t.runner.waitFor(position, 20_000)).toBe(true);

    const status = t.runner.status().find((s) => s.name === 'flaky-counting');
    expect(status?.failures).toBeGreaterThanOrEqual(1);
    const applied = await rows('test_applied_events', 'event_id');
    expect(applied).toHaveLength(30);
    expect(applied.every((row: { times: number }) => row.times === 1)).toBe(true);
    const index = await rows('stream_index', 'stream');
    expect(
      index.find((row: { stream: string }) => row.stream === 'dataset-exactly-once-3'),
    ).toMatchObject({
      event_count: '6',
      last_revision: '5',
    });
  });

  it('rebuilds from zero into fresh tables with identical rows', async () => {
    const { position } = await t.eventLog.append('dataset-rebuild', newEvents(4), {
      expectedRevision: 'no_stream',
    });
    expect(await t.runner.waitFor(position, 20_000)).toBe(true);
    const before = {
      applied: await rows('test_applied_events', 'event_id'),
      index: await rows('stream_index', 'stream'),
    };
    expect(before.index.length).toBeGreaterThan(5);

    await t.runner.stop();
    await dataSource.query(`UPDATE stream_index SET event_count = 0`);
    await t.runner.rebuild();
    const after = {
      applied: await rows('test_applied_events', 'event_id'),
      index: await rows('stream_index', 'stream'),
    };
    expect(after).toEqual(before);

    await t.runner.start();
    const live = await t.eventLog.append('dataset-rebuild', [newEvent()], { expectedRevision: 3n });
    expect(await t.runner.waitFor(live.position, 20_000)).toBe(true);
    expect(await rows('test_applied_events', 'event_id')).toHaveLength(before.applied.length + 1);
  });

  it('rebuilds one named projection and refuses unknown names', async () => {
    await expect(t.runner.rebuild(['no-such-projection'])).rejects.toThrow(
      /unknown projection no-such-projection/,
    );
    await t.runner.stop();
    await t.runner.rebuild(['stream-index']);
    const [{ n }] = await dataSource.query('SELECT sum(event_count)::int AS n FROM stream_index');
    const [{ total }] = await dataSource.query('SELECT count(*)::int AS total FROM ledger_events');
    expect(n).toBe(total);
    await t.runner.start();
  });

  // Only a server lets two processes run projections on one database (PGlite has one owner).
  if (defaultStoreKind() === 'postgres') {
    it('never applies a batch twice, nor skips one, when two runners race on one projection', async () => {
      const second = await startTestApp({ database: t.database, imports: [FlakyProjectionModule] });
      try {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            t.eventLog.append(`dataset-race-${i}`, newEvents(3), { expectedRevision: 'no_stream' }),
          ),
        );
        const last = results
          .map((result) => result.position)
          .sort((a, b) => t.eventLog.comparePositions(a, b))
          .pop() as string;
        expect(await t.runner.waitFor(last, 20_000)).toBe(true);
        expect(await second.runner.waitFor(last, 20_000)).toBe(true);
        const raced = (await rows('test_applied_events', 'event_id')).filter(
          (row: { stream: string }) => row.stream.startsWith('dataset-race-'),
        );
        expect(raced).toHaveLength(30);
        expect(raced.every((row: { times: number }) => row.times === 1)).toBe(true);
        const failures = [t, second].map((app) =>
          app.runner.status().find((s) => s.name === 'flaky-counting'),
        );
        expect(failures.every((status) => status?.lastError === null)).toBe(true);
      } finally {
        await second.close();
      }
    });
  }
  it('stops at once while a failed batch waits out a long retry backoff', async () => {
    const patient = await startTestApp({
      imports: [FlakyProjectionModule],
      projectionRetryMs: 60_000,
    });
    try {
      const projection = patient.app.get(FlakyCountingProjection);
      projection.failOnApply = 1;
      // A transient failure (connection lost) is retried with backoff, not split to find a fault.
      projection.failure = () =>
        Object.assign(new Error('connection lost'), { code: 'ECONNRESET' });
      await patient.eventLog.append('dataset-backoff', newEvents(1), {
        expectedRevision: 'no_stream',
      });
      await projection.failed;
      // The failure is counted just before the backoff starts; wait for that, not for a time.
      const failures = () =>
        patient.runner.status().find((st) => st.name === 'flaky-counting')?.failures ?? 0;
      for (let turn = 0; failures() === 0 && turn < 1000; turn++)
        await new Promise((resolve) => setTimeout(resolve, 5));
      expect(failures()).toBe(1);
      const outcome = await Promise.race([
        patient.runner.stop().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000).unref()),
      ]);
      expect(outcome).toBe('stopped');
    } finally {
      await patient.close();
    }
  });
});
