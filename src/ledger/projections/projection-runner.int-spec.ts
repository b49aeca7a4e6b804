import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Client, Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { newEvent, newEvents } from '../../../tests/support/events';
import { TestApp, startTestApp } from '../../../tests/support/test-app';
import { defaultStoreKind } from '../../../tests/support/test-database';
import { EVENT_LOG, EventLog, LedgerPosition, RecordedEvent } from '../event-log.port';
import { Projection, type ProjectionContext, ReadModelProjection } from './projection';
import { SoleProjector } from './projection-leases';
import { ProjectionRunner } from './projection-runner';

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
  /** synchronous_commit as each page's transaction saw it. */
  readonly commitModes: string[] = [];
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

  async applyPage(events: readonly RecordedEvent[], { manager }: ProjectionContext): Promise<void> {
    const [mode] = (await manager.query(
      `SELECT current_setting('synchronous_commit') AS mode`,
    )) as { mode: string }[];
    this.commitModes.push(mode.mode);
    for (const event of events) await this.applyEvent(event, manager);
  }

  private async applyEvent(event: RecordedEvent, manager: EntityManager): Promise<void> {
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

/**
 * Records each event it applies; while `stuck`, every page fails as a lost connection would
 * (transient: retried, never a fault).
 */
@Injectable()
@ReadModelProjection()
class StuckProjection implements Projection, OnModuleInit {
  readonly name = 'stuck-probe';
  readonly eventTypes = ['LedgerProbeRecorded'];
  readonly tables = ['test_stuck_events'];
  stuck = false;

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.query(
      'CREATE TABLE IF NOT EXISTS test_stuck_events (event_id uuid PRIMARY KEY, times int NOT NULL)',
    );
  }

  async applyPage(events: readonly RecordedEvent[], { manager }: ProjectionContext): Promise<void> {
    for (const event of events) await this.applyEvent(event, manager);
  }

  private async applyEvent(event: RecordedEvent, manager: EntityManager): Promise<void> {
    if (this.stuck) throw Object.assign(new Error('connection lost'), { code: 'ECONNRESET' });
    await manager.query(
      `INSERT INTO test_stuck_events (event_id, times) VALUES ($1, 1)
       ON CONFLICT (event_id) DO UPDATE SET times = test_stuck_events.times + 1`,
      [event.id],
    );
  }
}

@Module({ providers: [FlakyCountingProjection, StuckProjection] })
class FlakyProjectionModule {}

/** Counts the SQL statements sent from inside `counted` (its asynchronous context), by any pg client. */
const statementContext = new AsyncLocalStorage<{ statements: string[] }>();
let counterInstalled = false;
function installStatementCounter(): void {
  if (counterInstalled) return;
  counterInstalled = true;
  type QueryFn = (this: unknown, ...args: unknown[]) => unknown;
  const text = (query: unknown) =>
    typeof query === 'string' ? query : String((query as { text?: unknown })?.text ?? query);
  const clientQuery = Client.prototype.query as unknown as QueryFn;
  (Client.prototype as unknown as { query: QueryFn }).query = function (...args: unknown[]) {
    // pg-pool's own query calls a client's: counted once, at the pool.
    if (!/[/\\]pg-pool[/\\]index\.js/.test(new Error().stack ?? ''))
      statementContext.getStore()?.statements.push(text(args[0]));
    return clientQuery.apply(this, args);
  };
  const poolQuery = Pool.prototype.query as unknown as QueryFn;
  (Pool.prototype as unknown as { query: QueryFn }).query = function (...args: unknown[]) {
    statementContext.getStore()?.statements.push(text(args[0]));
    return poolQuery.apply(this, args);
  };
}

/** A runner of `app`'s projections that holds every lease itself (two of them race on one database). */
function soleRunner(app: TestApp): ProjectionRunner {
  return new ProjectionRunner(
    app.app.get<EventLog>(EVENT_LOG),
    app.app.get(DataSource),
    app.app.get(DiscoveryService),
    10,
    new SoleProjector(),
  );
}

/** Polls `condition` (the runner works in the background) until it holds or `turns` run out. */
async function eventually(condition: () => boolean, turns = 4000): Promise<boolean> {
  for (let turn = 0; !condition() && turn < turns; turn++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  return condition();
}

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

  it('commits pages without waiting for the disk, in their own transactions only', async () => {
    flaky.commitModes.length = 0;
    const { position } = await t.eventLog.append('dataset-commit-mode', newEvents(3), {
      expectedRevision: 'no_stream',
    });
    expect(await t.runner.waitFor(position, 20_000)).toBe(true);
    expect(flaky.commitModes.length).toBeGreaterThan(0);
    expect(new Set(flaky.commitModes)).toEqual(new Set(['off']));
    // The pool's connections go back as they were: every other transaction waits for the disk.
    const settings = await Promise.all(
      Array.from({ length: 4 }, () =>
        dataSource.transaction((manager) =>
          manager.query(`SELECT current_setting('synchronous_commit') AS mode`),
        ),
      ),
    );
    expect(settings.flat()).toEqual(Array.from({ length: 4 }, () => ({ mode: 'on' })));
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

  it('never applies a page twice, nor skips one, when two runners holding every lease race on one database', async () => {
    // Two processes on PostgreSQL; the embedded store has one owner, so there two runners of one app.
    const second =
      defaultStoreKind() === 'postgres'
        ? await startTestApp({
            database: t.database,
            imports: [FlakyProjectionModule],
            startProjections: false,
          })
        : undefined;
    await t.runner.stop();
    const runners = [soleRunner(t), soleRunner(second ?? t)];
    try {
      await Promise.all(runners.map((runner) => runner.start()));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          t.eventLog.append(`dataset-race-${i}`, newEvents(3), { expectedRevision: 'no_stream' }),
        ),
      );
      const last = results
        .map((result) => result.position)
        .sort((a, b) => t.eventLog.comparePositions(a, b))
        .pop() as string;
      for (const runner of runners) expect(await runner.waitFor(last, 20_000)).toBe(true);
      const raced = (await rows('test_applied_events', 'event_id')).filter(
        (row: { stream: string }) => row.stream.startsWith('dataset-race-'),
      );
      expect(raced).toHaveLength(30);
      expect(raced.every((row: { times: number }) => row.times === 1)).toBe(true);
      const streams = (await rows('stream_index', 'stream')).filter((row: { stream: string }) =>
        row.stream.startsWith('dataset-race-'),
      );
      expect(streams.map((row: { event_count: string }) => row.event_count)).toEqual(
        Array(10).fill('3'),
      );
      const statuses = runners.map((runner) =>
        runner.status().find((s) => s.name === 'flaky-counting'),
      );
      expect(statuses.every((status) => status?.lastError === null)).toBe(true);
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
      await second?.close();
      await t.runner.start();
    }
  });

  it('reads the ledger once to rebuild every projection', async () => {
    const { position } = await t.eventLog.append('dataset-read-once', newEvents(5), {
      expectedRevision: 'no_stream',
    });
    expect(await t.runner.waitFor(position, 20_000)).toBe(true);
    const before = await rows('stream_index', 'stream');
    await t.runner.stop();
    const subscribe = jest.spyOn(t.eventLog, 'subscribe');
    try {
      const progress = new Set<string>();
      const results = await t.runner.rebuild(undefined, (name) => progress.add(name));
      expect(subscribe).toHaveBeenCalledTimes(1);
      expect(results.map((result) => result.name).sort()).toEqual(
        t.runner
          .projections()
          .map((projection) => projection.name)
          .sort(),
      );
      expect([...progress].sort()).toEqual(results.map((result) => result.name).sort());
      expect(await rows('stream_index', 'stream')).toEqual(before);
    } finally {
      subscribe.mockRestore();
      await t.runner.start();
    }
  });

  it('goes on feeding the other projections while one keeps failing, and catches it up after', async () => {
    const stuck = t.app.get(StuckProjection);
    const stuckStatus = () => t.runner.status().find((s) => s.name === 'stuck-probe');
    const indexAt = () => t.runner.status().find((s) => s.name === 'stream-index')?.position;
    stuck.stuck = true;
    try {
      const events = newEvents(3);
      const { position } = await t.eventLog.append('dataset-stuck', events, {
        expectedRevision: 'no_stream',
      });
      const passed = (at: LedgerPosition | null | undefined) =>
        at != null && t.eventLog.comparePositions(at, position) >= 0;
      expect(await eventually(() => passed(indexAt()) && (stuckStatus()?.failures ?? 0) >= 3)).toBe(
        true,
      );
      expect(passed(stuckStatus()?.position)).toBe(false);
      expect(stuckStatus()?.state).toBe('failing');
      stuck.stuck = false;
      expect(await t.runner.waitFor(position, 20_000)).toBe(true);
      const ids = new Set(events.map((event) => event.id));
      const applied = (await rows('test_stuck_events', 'event_id')).filter(
        (row: { event_id: string }) => ids.has(row.event_id),
      );
      expect(applied).toHaveLength(3);
      expect(applied.every((row: { times: number }) => row.times === 1)).toBe(true);
      // Back on the one reader: the next event reaches it there.
      const next = await t.eventLog.append('dataset-stuck', newEvents(1), { expectedRevision: 2n });
      expect(await t.runner.waitFor(next.position, 20_000)).toBe(true);
      expect(stuckStatus()?.state).toBe('live');
    } finally {
      stuck.stuck = false;
    }
  });

  it('lets a runner that only observes wait for positions another runner applies', async () => {
    const observer = soleRunner(t);
    try {
      await observer.observe();
      expect(observer.status().every((status) => status.state === 'standby')).toBe(true);
      const { position } = await t.eventLog.append('dataset-observed', newEvents(2), {
        expectedRevision: 'no_stream',
      });
      expect(await observer.waitFor(position, 20_000)).toBe(true);
      const furthest = observer.furthestPosition();
      expect(furthest !== null && t.eventLog.comparePositions(furthest, position) >= 0).toBe(true);
      expect(observer.status().every((status) => status.state === 'standby')).toBe(true);
    } finally {
      await observer.stop();
    }
  });

  it('sends at most a couple of statements a second while the ledger is idle', async () => {
    installStatementCounter();
    const { position } = await t.eventLog.append('dataset-idle', newEvents(1), {
      expectedRevision: 'no_stream',
    });
    expect(await t.runner.waitFor(position, 20_000)).toBe(true);
    await t.runner.stop();
    const probe = { statements: [] as string[] };
    await statementContext.run(probe, () => t.runner.start());
    await t.runner.caughtUp();
    expect(await t.runner.waitFor(position, 20_000)).toBe(true);
    // Everything the start sent is behind us: from here on the runner only waits for appends.
    probe.statements.length = 0;
    const window = 3000;
    await new Promise((resolve) => setTimeout(resolve, window));
    const perSecond = probe.statements.length / (window / 1000);
    expect(perSecond).toBeLessThanOrEqual(2);
  });

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
