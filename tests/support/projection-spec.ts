import { createHash } from 'node:crypto';
import type { Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { DomainEvent } from '../../src/ledger/commands/decider';
import type { Actor, JsonObject, RecordedEvent } from '../../src/ledger/event-log.port';
import { decodeRecorded } from '../../src/ledger/events/event-registry';
import { formatPosition } from '../../src/ledger/postgres/postgres-positions';
import type { Projection } from '../../src/ledger/projections/projection';
import { TestApp, startTestApp } from './test-app';

/** An event as a spec gives it: a domain event, and optionally where and when it was recorded. */
export type GivenEvent = DomainEvent & {
  stream?: string;
  recordedAt?: Date | string;
  actor?: Actor;
};

export interface ApplyOptions {
  /** Events per page (each page is one transaction, as the runner applies them); default: all. */
  pageSize?: number | readonly number[];
  /** Keep what the tables hold already instead of emptying them first. */
  keep?: boolean;
  rebuilding?: boolean;
}

export interface SnapshotOptions {
  /** Columns left out of a comparison (e.g. a column set to now()). */
  ignoreColumns?: readonly string[];
}

/**
 * A projection under test (README, "Projections"): given these events, the tables hold these
 * rows. The events are recorded as the ledger would record them (stream revisions, positions,
 * hashes) and applied through the projection's own page handler, page by page, each page in one
 * transaction: exactly what the projection runner does, without the runner.
 */
export interface ProjectionSpec<P extends Projection = Projection> {
  readonly test: TestApp;
  readonly projection: P;
  readonly dataSource: DataSource;
  /** Turns given events into recorded ones, numbered after those recorded before. */
  record(events: readonly GivenEvent[]): RecordedEvent[];
  /** Empties the projection's tables (unless `keep`) and applies the events in pages. */
  given(events: readonly GivenEvent[], options?: ApplyOptions): Promise<RecordedEvent[]>;
  /** Applies already recorded events in pages (nothing emptied). */
  apply(events: readonly RecordedEvent[], options?: ApplyOptions): Promise<void>;
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Every row of every table the projection owns, in a stable order. */
  snapshot(options?: SnapshotOptions): Promise<Record<string, unknown[]>>;
  /**
   * Applies the events as one page (a rebuild), one event per page (live, as they arrive) and in
   * pages of uneven sizes, and expects the tables to hold the same rows each time.
   */
  expectRebuildEqualsLive(events: readonly GivenEvent[], options?: SnapshotOptions): Promise<void>;
  truncate(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the service without its projections running and hands out the projection `type`. */
export async function projectionSpec<P extends Projection>(
  type: Type<P>,
  options: Parameters<typeof startTestApp>[0] = {},
): Promise<ProjectionSpec<P>> {
  const test = await startTestApp({ ...options, startProjections: false });
  const projection = test.app.get(type);
  const dataSource = test.app.get(DataSource);
  let recordedSoFar = 0;
  const revisions = new Map<string, bigint>();
  const heads = new Map<string, string>();

  const record = (events: readonly GivenEvent[]): RecordedEvent[] =>
    events.map((event) => {
      const index = ++recordedSoFar;
      const stream = event.stream ?? 'spec-stream';
      const revision = revisions.get(stream) ?? 0n;
      revisions.set(stream, revision + 1n);
      const prevHash = heads.get(stream) ?? '0'.repeat(64);
      const id = uuidv7();
      const data = JSON.parse(JSON.stringify(event.data)) as JsonObject;
      const hash = createHash('sha256')
        .update(`${prevHash}/${id}/${event.type}/${JSON.stringify(data)}`)
        .digest('hex');
      heads.set(stream, hash);
      const recordedAt = event.recordedAt
        ? new Date(event.recordedAt)
        : new Date(Date.UTC(2026, 0, 1) + index * 1000);
      return decodeRecorded({
        id,
        type: event.type,
        stream,
        revision,
        data,
        metadata: {
          schemaVersion: 1,
          occurredAt: recordedAt.toISOString(),
          actor: event.actor ?? { sub: 'spec', roles: [] },
          correlationId: id,
          causationId: id,
          integrity: { prevHash, hash },
        },
        position: formatPosition({ transactionId: BigInt(1000 + index), sequence: BigInt(index) }),
        recordedAt,
      });
    });

  const handles = (event: RecordedEvent) =>
    !projection.eventTypes || projection.eventTypes.includes(event.type);

  const apply = async (events: readonly RecordedEvent[], applyOptions: ApplyOptions = {}) => {
    const sizes =
      applyOptions.pageSize === undefined
        ? [Math.max(events.length, 1)]
        : typeof applyOptions.pageSize === 'number'
          ? [applyOptions.pageSize]
          : applyOptions.pageSize;
    let from: string | null = null;
    let page = 0;
    for (let start = 0; start < events.length; page++) {
      const slice = events.slice(start, start + sizes[page % sizes.length]);
      start += slice.length;
      const to = slice[slice.length - 1].position;
      const mine = slice.filter(handles);
      await dataSource.transaction(async (manager) => {
        const context = { manager, from, to, rebuilding: applyOptions.rebuilding ?? false };
        await projection.applyPage(mine, context);
      });
      from = to;
    }
  };

  const truncate = async () => {
    if (projection.tables.length === 0) return;
    await dataSource.query(`TRUNCATE ${projection.tables.map((t) => `"${t}"`).join(', ')}`);
  };

  const snapshot = async (snapshotOptions: SnapshotOptions = {}) => {
    const ignored = new Set(snapshotOptions.ignoreColumns ?? []);
    const tables: Record<string, unknown[]> = {};
    for (const table of projection.tables) {
      const rows = (await dataSource.query(`SELECT * FROM "${table}"`)) as Record<
        string,
        unknown
      >[];
      tables[table] = rows
        .map((row) =>
          Object.fromEntries(Object.entries(row).filter(([column]) => !ignored.has(column))),
        )
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
    return tables;
  };

  const spec: ProjectionSpec<P> = {
    test,
    projection,
    dataSource,
    record,
    apply,
    truncate,
    snapshot,
    async given(events, applyOptions = {}) {
      if (!applyOptions.keep) await truncate();
      const recorded = record(events);
      await apply(recorded, applyOptions);
      return recorded;
    },
    rows: (sql, params) => dataSource.query(sql, params),
    async expectRebuildEqualsLive(events, snapshotOptions) {
      const recorded = record(events);
      await truncate();
      await apply(recorded, { rebuilding: true });
      const rebuilt = await snapshot(snapshotOptions);
      await truncate();
      await apply(recorded, { pageSize: 1 });
      expect(await snapshot(snapshotOptions)).toEqual(rebuilt);
      await truncate();
      await apply(recorded, { pageSize: [2, 3, 5, 7] });
      expect(await snapshot(snapshotOptions)).toEqual(rebuilt);
      // Something was built: an empty projection would equal itself trivially.
      expect(Object.values(rebuilt).some((rows) => rows.length > 0)).toBe(true);
    },
    close: () => test.close(),
  };
  return spec;
}
