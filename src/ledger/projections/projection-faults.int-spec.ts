import { Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { newEvent } from '../../../tests/support/events';
import { TestApp, startTestApp } from '../../../tests/support/test-app';
import { StoreKind, storeKinds } from '../../../tests/support/test-database';
import type { LedgerPosition, NewEvent, RecordedEvent } from '../event-log.port';
import { Projection, type ProjectionContext, ReadModelProjection } from './projection';
import { ProjectionFault, listFaults } from './projection-faults';

/** Beyond bigint: PostgreSQL refuses it with 22003 (numeric value out of range). */
const TOO_BIG = '9223372036854775808';
const PERSONAL = 'alice.citizen@example.com';

/**
 * Stores each event's `amount` as a bigint (until `fixed`, then as numeric), so an amount beyond
 * bigint fails in PostgreSQL itself; `mode` makes the handler throw, or fail for a while.
 */
@Injectable()
@ReadModelProjection()
class FaultProbeProjection implements Projection, OnModuleInit {
  readonly name = 'fault-probe';
  readonly eventTypes = ['LedgerProbeRecorded'];
  readonly tables = ['test_fault_probe'];
  fixed = false;
  /** Kills its own database connection (PostgreSQL) instead of raising a deadlock error. */
  loseConnection = false;
  readonly attempts = new Map<string, number>();

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.query(
      'CREATE TABLE IF NOT EXISTS test_fault_probe (event_id uuid PRIMARY KEY, amount numeric, times int NOT NULL)',
    );
  }

  async applyPage(events: readonly RecordedEvent[], { manager }: ProjectionContext): Promise<void> {
    for (const event of events) await this.applyEvent(event, manager);
  }

  private async applyEvent(event: RecordedEvent, manager: EntityManager): Promise<void> {
    const attempt = (this.attempts.get(event.id) ?? 0) + 1;
    this.attempts.set(event.id, attempt);
    const { mode, amount, owner } = event.data as {
      mode?: string;
      amount?: string;
      owner?: string;
    };
    if (mode === 'throw' && !this.fixed)
      throw new Error(`owner "${owner}" has no account ${amount}: ${owner}`);
    if (mode === 'throw-twice' && attempt <= 2) throw new Error('flaky handler');
    if (mode === 'transient-twice' && attempt <= 2) {
      if (this.loseConnection) await manager.query('SELECT pg_terminate_backend(pg_backend_pid())');
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    }
    await manager.query(
      `INSERT INTO test_fault_probe (event_id, amount, times)
       VALUES ($1, $2::${this.fixed ? 'numeric' : 'bigint'}, 1)
       ON CONFLICT (event_id) DO UPDATE SET times = test_fault_probe.times + 1`,
      [event.id, amount ?? '0'],
    );
  }
}

@Module({ providers: [FaultProbeProjection] })
class FaultProbeModule {}

const probe = (data: Record<string, string>): NewEvent =>
  newEvent({ data: { name: 'x', ...data } });

describe.each(storeKinds())('projection faults (%s)', (kind: StoreKind) => {
  let t: TestApp;
  let projection: FaultProbeProjection;
  let dataSource: DataSource;
  let errorLog: jest.SpyInstance;
  const bad: { tooBig?: NewEvent; throwing?: NewEvent } = {};

  beforeAll(async () => {
    errorLog = jest.spyOn(Logger.prototype, 'error');
    t = await startTestApp({ kind, imports: [FaultProbeModule] });
    projection = t.app.get(FaultProbeProjection);
    projection.loseConnection = kind === 'postgres';
    dataSource = t.app.get(DataSource);
  });

  afterAll(async () => {
    errorLog.mockRestore();
    await t?.close();
  });

  const probeRows = async () =>
    new Map(
      (
        (await dataSource.query('SELECT event_id, amount, times FROM test_fault_probe')) as {
          event_id: string;
          amount: string;
          times: number;
        }[]
      ).map((row) => [row.event_id, row]),
    );
  const faults = (): Promise<ProjectionFault[]> =>
    listFaults(dataSource.manager, { projections: ['fault-probe'] });
  const status = () => t.runner.status().find((s) => s.name === 'fault-probe');
  const reach = async (position: LedgerPosition) =>
    expect(await t.runner.waitFor(position, 20_000)).toBe(true);
  const metric = async (name: string) => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    const line = text.split('\n').find((l) => l.startsWith(`${name}{projection="fault-probe"}`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };

  it('records one fault for an event the database refuses, applies the events around it and stays ready', async () => {
    const before = probe({ amount: '1' });
    bad.tooBig = probe({ amount: TOO_BIG });
    const after = probe({ amount: '2' });
    await t.eventLog.append('dataset-faults-1', [before, bad.tooBig, after], {
      expectedRevision: 'no_stream',
    });
    const later = probe({ amount: '3' });
    const { position } = await t.eventLog.append('dataset-faults-2', [later], {
      expectedRevision: 'no_stream',
    });
    await reach(position);

    const rows = await probeRows();
    expect([...rows.keys()].sort()).toEqual([before.id, after.id, later.id].sort());
    expect([...rows.values()].every((row) => row.times === 1)).toBe(true);

    const recorded = await faults();
    expect(recorded).toHaveLength(1);
    const [stored] = await t.eventLog.readStream('dataset-faults-1', {
      fromRevision: 1n,
      maxCount: 1,
    });
    expect(recorded[0]).toMatchObject({
      projection: 'fault-probe',
      eventId: bad.tooBig.id,
      stream: 'dataset-faults-1',
      revision: '1',
      eventType: 'LedgerProbeRecorded',
      ledgerPosition: stored.position,
      errorCode: '22003',
      occurrences: 1,
      resolvedAt: null,
    });
    expect(recorded[0].errorMessage).toMatch(/out of range for type bigint/);
    expect(recorded[0].errorMessage).not.toContain('922337');
    expect(recorded[0].firstSeenAt).toBeInstanceOf(Date);

    expect(status()).toMatchObject({
      state: 'faulted',
      faults: { open: 1, firstEventId: bad.tooBig.id },
      faultsRecorded: 1,
    });
    const ready = await t.http().get('/api/v1/health/ready').expect(200);
    expect(ready.body.details.projections['fault-probe']).toMatchObject({
      state: 'faulted',
      faults: { open: 1, firstEventId: bad.tooBig.id },
    });
    await t
      .http()
      .get('/api/v1/ledger/streams/dataset-faults-2')
      .set('X-Ledger-Position', position)
      .expect(200);
    expect(await metric('attest_projection_faults_open')).toBe(1);
    expect(await metric('attest_projection_faults_total')).toBe(1);

    const logged = errorLog.mock.calls.filter(([fields]) => fields?.eventId === bad.tooBig?.id);
    expect(logged).toHaveLength(1);
    expect(logged[0][0]).toMatchObject({ projection: 'fault-probe', errorCode: '22003' });
    expect(JSON.stringify(errorLog.mock.calls)).not.toContain('922337');
  });

  it('records a handler’s own exception without the values it names', async () => {
    bad.throwing = probe({ mode: 'throw', owner: PERSONAL, amount: '4' });
    const { position } = await t.eventLog.append('dataset-faults-3', [bad.throwing], {
      expectedRevision: 'no_stream',
    });
    await reach(position);

    const recorded = (await faults()).find((fault) => fault.eventId === bad.throwing?.id);
    expect(recorded).toMatchObject({ errorCode: 'Error', resolvedAt: null });
    expect(recorded?.errorMessage).toMatch(/^owner "\?" has no account \?/);
    const shown = JSON.stringify([await faults(), t.runner.status(), errorLog.mock.calls]);
    expect(shown).not.toContain('alice');
    expect(status()?.faults).toEqual({ open: 2, firstEventId: bad.tooBig?.id });
    expect(projection.attempts.get(bad.throwing.id)).toBeGreaterThanOrEqual(3);
  });

  it('records no fault and loses no event when failures go away on a retry', async () => {
    const failuresBefore = status()?.failures ?? 0;
    const events = [
      probe({ mode: 'transient-twice', amount: '5' }),
      probe({ mode: 'throw-twice', amount: '6' }),
      probe({ amount: '7' }),
    ];
    const { position } = await t.eventLog.append('dataset-faults-4', events, {
      expectedRevision: 'no_stream',
    });
    await reach(position);

    const rows = await probeRows();
    for (const event of events) expect(rows.get(event.id)?.times).toBe(1);
    expect(await faults()).toHaveLength(2);
    expect(status()?.failures).toBeGreaterThanOrEqual(failuresBefore + 4);
    expect(status()?.faultsRecorded).toBe(2);
  });

  it('completes a rebuild over the events it cannot apply, keeping their faults open', async () => {
    const rowsBefore = await probeRows();
    const [result] = await t.runner.rebuild(['fault-probe']);
    expect(result).toEqual({
      name: 'fault-probe',
      eventsApplied: rowsBefore.size,
      faulted: 2,
      resolved: 0,
    });
    expect(await probeRows()).toEqual(rowsBefore);
    const recorded = await faults();
    expect(recorded.map((fault) => [fault.eventId, fault.occurrences, fault.resolvedAt])).toEqual(
      expect.arrayContaining([
        [bad.tooBig?.id, 2, null],
        [bad.throwing?.id, 2, null],
      ]),
    );
    expect(recorded).toHaveLength(2);
    const { position } = await t.eventLog.append('dataset-faults-5', [probe({ amount: '8' })], {
      expectedRevision: 'no_stream',
    });
    await reach(position);
    expect(status()?.state).toBe('faulted');
  });

  it('resolves the faults when their events apply after the fix is deployed and replayed', async () => {
    projection.fixed = true;
    const rowsBefore = await probeRows();
    const results = await t.runner.replayFaults();
    expect(results).toEqual([
      { name: 'fault-probe', eventsApplied: rowsBefore.size + 2, faulted: 0, resolved: 2 },
    ]);

    const rows = await probeRows();
    expect(rows.get(bad.tooBig?.id as string)?.amount).toBe(TOO_BIG);
    expect(rows.get(bad.throwing?.id as string)?.amount).toBe('4');
    expect([...rows.values()].every((row) => row.times === 1)).toBe(true);
    const recorded = await faults();
    expect(recorded).toHaveLength(2);
    expect(recorded.every((fault) => fault.resolvedAt instanceof Date)).toBe(true);
    expect(await listFaults(dataSource.manager, { open: true })).toEqual([]);

    const { position } = await t.eventLog.append('dataset-faults-6', [probe({ amount: '9' })], {
      expectedRevision: 'no_stream',
    });
    await reach(position);
    expect(status()).toMatchObject({ faults: { open: 0, firstEventId: null } });
    expect(status()?.state).not.toBe('faulted');
    expect(await metric('attest_projection_faults_open')).toBe(0);
    expect(await t.runner.replayFaults()).toEqual([]);
  });
});
