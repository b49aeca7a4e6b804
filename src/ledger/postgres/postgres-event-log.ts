import { Client, Pool, PoolClient, QueryConfig, DatabaseError } from 'pg';
import { classifyDatabaseError } from '../database/database-errors';
import { trackedSubscription } from '../tracked-subscription';
import {
  ChainStorage,
  ChainedAppender,
  EventIdTaken,
  RevisionTaken,
  StoredEventRef,
} from '../chained-append';
import { EMPTY_HEAD, SealedEvent, StreamHead } from '../hash-chain';
import { STREAM_LOCK_NAMESPACE, streamLockKey } from '../stream-lock-key';
import { LedgerUnavailable, StreamMoved, StreamNotFound, UnstorableEvent } from '../ledger.errors';
import type {
  AppendOptions,
  AppendResult,
  EventLog,
  LedgerPosition,
  NewEvent,
  EventPlace,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamCondition,
  SubscribeOptions,
  Subscription,
  SubscriptionFilter,
  SubscriptionMessage,
} from '../event-log.port';
import {
  PgPosition,
  START,
  comparePositions,
  formatPosition,
  isPosition,
  parsePosition,
} from './postgres-positions';
import { WakeSignal } from './wake-signal';

export const NOTIFY_CHANNEL = 'attest_ledger_events';

export interface PostgresEventLogOptions {
  /** close() also ends the pool. */
  ownsPool?: boolean;
  /** Named prepared statements (PGlite: only with a single connection, its session is shared). */
  preparedStatements: boolean;
  /** A connection string for a dedicated LISTEN connection; omitted: in-process wake-ups and polling only. */
  listenConnectionString?: string;
  pollIntervalMs: number;
  pageSize: number;
  onWarning?: (message: string, error?: unknown) => void;
}

interface EventRow {
  position: string;
  transaction_id: string;
  id: string;
  stream: string;
  revision: string;
  type: string;
  data: RecordedEvent['data'] | null;
  metadata: Omit<RecordedEvent['metadata'], 'integrity'> | null;
  hash: string;
  prev_hash: string;
  recorded_at: Date;
}

interface PageRow extends EventRow {
  matched: boolean;
}

/** Settled rows in global order, and whether newer committed rows are still held back. */
interface Page {
  rows: PageRow[];
  heldBack: boolean;
}

const COLUMNS =
  'position, transaction_id, id, stream, revision, type, data, metadata, hash, prev_hash, recorded_at';
/** How soon to look again while an earlier transaction holds committed events back (doubling). */
const HELD_BACK_RETRY_MS = 15;
/**
 * Once live, a subscription reads at most this often: under a stream of appends each wake would
 * otherwise cost every subscriber a query per append; waiting a moment lets one read (and one
 * projection transaction) take them all.
 */
const LIVE_READ_INTERVAL_MS = 10;
const HELD_BACK_WARNING_MS = 10_000;
const LISTEN_RETRY_MS = 1000;
/** At most one cross-process NOTIFY per this many milliseconds, however many appends. */
const ANNOUNCE_SPACING_MS = 5;

/**
 * The PostgreSQL (and PGlite) adapter. Global order is (transaction_id, position), read only
 * below the oldest running transaction, so an event whose transaction commits late is never skipped.
 */
export class PostgresEventLog implements EventLog {
  private readonly appender: ChainedAppender;
  private readonly wake = new WakeSignal();
  private listener?: Client;
  private listening?: Promise<void>;
  private closed = false;
  private announcing = false;
  private listenTimer?: NodeJS.Timeout;
  private listenRetryMs = LISTEN_RETRY_MS;
  private announceAgain = false;
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresEventLogOptions,
  ) {
    const storage: ChainStorage = {
      refusesStoredIds: true,
      readHead: (stream) => this.readHead(stream),
      write: (stream, events, conditions) => this.write(stream, events, conditions),
      findStored: (_stream, ids) => this.findStored(ids),
    };
    this.appender = new ChainedAppender(storage);
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const result = await this.appender.append(
      stream,
      events,
      options.expectedRevision,
      options.conditions,
    );
    this.wake.notify();
    this.announce();
    return result;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? BigInt(Number.MAX_SAFE_INTEGER) : 0n);
    const rows = await this.query<EventRow>({
      name: backwards ? 'ledger-read-stream-backwards' : 'ledger-read-stream-forwards',
      text: `SELECT ${COLUMNS} FROM ledger_events WHERE stream = $1 AND revision ${backwards ? '<=' : '>='} $2
             ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      values: [stream, from.toString(), options.maxCount ?? null],
    });
    if (rows.length === 0 && !(await this.streamExists(stream))) throw new StreamNotFound(stream);
    return rows.map(toRecordedEvent);
  }

  async readEvents(places: readonly EventPlace[]): Promise<RecordedEvent[]> {
    if (places.length === 0) return [];
    const rows = await this.query<EventRow>({
      name: 'ledger-read-events',
      text: `SELECT ${COLUMNS.split(', ')
        .map((column) => `e.${column}`)
        .join(', ')}
             FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS p(stream, revision, n)
             JOIN ledger_events e ON e.stream = p.stream AND e.revision = p.revision
             ORDER BY p.n`,
      values: [places.map((p) => p.stream), places.map((p) => p.revision.toString())],
    });
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const page = await this.readPage(
      options.from ? parsePosition(options.from) : START,
      options.maxCount ?? 1000,
    );
    return page.rows.map(toRecordedEvent);
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    const start = options.from ? parsePosition(options.from) : START;
    let stopped = false;
    const messages = this.follow(start, options.filter, () => stopped || this.closed);
    return trackedSubscription(messages, this.subscriptions, () => {
      stopped = true;
      this.wake.notify();
    });
  }

  comparePositions(a: LedgerPosition, b: LedgerPosition): number {
    return comparePositions(a, b);
  }

  isPosition(token: string): boolean {
    return isPosition(token);
  }

  async headPosition(): Promise<LedgerPosition | undefined> {
    const rows = await this.query<{ position: string; transaction_id: string }>({
      name: 'ledger-head-position',
      text: 'SELECT transaction_id, position FROM ledger_events ORDER BY transaction_id DESC, position DESC LIMIT 1',
    });
    return rows[0] ? formatPosition(rowPosition(rows[0])) : undefined;
  }

  fractionOf(position: LedgerPosition | null, head: LedgerPosition): number {
    // The global sequence grows with each append, close enough to global order for progress.
    const to = Number(parsePosition(head).sequence);
    if (position === null || to <= 0) return 0;
    return Math.min(1, Number(parsePosition(position).sequence) / to);
  }

  async ping(): Promise<void> {
    await this.query({ text: 'SELECT 1' });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake.notify();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    clearTimeout(this.listenTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    if (this.options.ownsPool) await this.pool.end();
  }

  private async *follow(
    start: PgPosition,
    filter: SubscriptionFilter | undefined,
    isStopped: () => boolean,
  ): AsyncGenerator<SubscriptionMessage, void, undefined> {
    let cursor = start;
    let deliveredSinceCaughtUp = true;
    let failures = 0;
    let heldBackSince: number | undefined;
    let heldBackRetryMs = HELD_BACK_RETRY_MS;
    // Listen before the first read, so no notification falls between reading and waiting.
    if (this.options.listenConnectionString) await this.ensureListening();
    let lastLiveRead = 0;
    while (!isStopped()) {
      let page: Page;
      const sinceLastRead = Date.now() - lastLiveRead;
      if (sinceLastRead < LIVE_READ_INTERVAL_MS) {
        await new Promise((resolve) => setTimeout(resolve, LIVE_READ_INTERVAL_MS - sinceLastRead));
      }
      const generation = this.wake.generation;
      try {
        page = await this.readPage(cursor, this.options.pageSize, filter);
        failures = 0;
      } catch (error) {
        if (isStopped()) return;
        failures += 1;
        this.options.onWarning?.('ledger subscription read failed; retrying', error);
        await this.wake.wait(Math.min(100 * 2 ** failures, 5000));
        continue;
      }
      const settled = page.rows;
      for (const row of settled) {
        if (row.matched) yield { kind: 'event', event: toRecordedEvent(row) };
      }
      if (settled.length > 0) {
        cursor = rowPosition(settled[settled.length - 1]);
        deliveredSinceCaughtUp = true;
        yield { kind: 'checkpoint', position: formatPosition(cursor) };
      }
      const heldBack = page.heldBack && settled.length < this.options.pageSize;
      if (settled.length === this.options.pageSize) continue;
      lastLiveRead = Date.now();
      if (!heldBack && deliveredSinceCaughtUp) {
        deliveredSinceCaughtUp = false;
        yield {
          kind: 'caughtUp',
          position: cursor === start && start === START ? undefined : formatPosition(cursor),
        };
      }
      if (isStopped()) return;
      if (heldBack) {
        heldBackSince ??= Date.now();
        if (Date.now() - heldBackSince > HELD_BACK_WARNING_MS) {
          heldBackSince = Date.now();
          this.options.onWarning?.(
            `committed ledger events have been held back for over ${HELD_BACK_WARNING_MS / 1000}s by an older transaction that is still open (see pg_stat_activity, state 'idle in transaction')`,
          );
        }
        await this.wake.wait(heldBackRetryMs, generation);
        heldBackRetryMs = Math.min(heldBackRetryMs * 2, this.options.pollIntervalMs);
      } else {
        heldBackSince = undefined;
        heldBackRetryMs = HELD_BACK_RETRY_MS;
        await this.wake.wait(this.options.pollIntervalMs, generation);
      }
    }
  }

  /**
   * Reads only what is settled, so rows still held back are neither fetched nor parsed again on
   * every look; one flag says whether any exist. Rows the filter does not match come back as bare
   * positions, so the cursor can still pass them.
   *
   * Settled means below the oldest running transaction that could still append to the ledger
   * (SETTLED_FRONTIER): transactions of other databases on the server and read-model
   * transactions (markReadModelTransaction) are not waited for (README, "Delivery order").
   */
  private async readPage(
    cursor: PgPosition,
    limit: number,
    filter?: SubscriptionFilter,
  ): Promise<Page> {
    const types = filter?.eventTypes ? [...filter.eventTypes] : null;
    const prefixes = filter?.streamPrefixes
      ? filter.streamPrefixes.map((prefix) => `${escapeLike(prefix)}%`)
      : null;
    const match = `($4::text[] IS NULL OR e.type = ANY($4::text[])) AND ($5::text[] IS NULL OR e.stream LIKE ANY($5::text[]))`;
    const rows = await this.query<PageRow & { held_back: boolean }>({
      name: 'ledger-read-page',
      text: `SELECT p.*, h.held_back
             FROM (${SETTLED_FRONTIER}) s
             CROSS JOIN LATERAL (
               -- ORDER BY … LIMIT 1 keeps this on the global-order index whatever the statistics say.
               SELECT (SELECT transaction_id FROM ledger_events WHERE transaction_id >= s.frontier
                       ORDER BY transaction_id, position LIMIT 1) IS NOT NULL AS held_back
             ) h
             LEFT JOIN LATERAL (
               SELECT e.position, e.transaction_id, e.id, e.stream, e.revision, e.type,
                      CASE WHEN m.matched THEN e.hash END AS hash,
                      CASE WHEN m.matched THEN e.prev_hash END AS prev_hash,
                      CASE WHEN m.matched THEN e.recorded_at END AS recorded_at,
                      CASE WHEN m.matched THEN e.data END AS data,
                      CASE WHEN m.matched THEN e.metadata END AS metadata,
                      m.matched
               FROM ledger_events e
               CROSS JOIN LATERAL (SELECT ${match} AS matched) m
               WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
                 AND e.transaction_id < s.frontier
               ORDER BY e.transaction_id, e.position
               LIMIT $3
             ) p ON true`,
      values: [cursor.transactionId.toString(), cursor.sequence.toString(), limit, types, prefixes],
    });
    return {
      rows: rows.filter((row) => row.position !== null),
      heldBack: rows[0]?.held_back ?? false,
    };
  }

  private async readHead(stream: string): Promise<StreamHead> {
    const rows = await this.query<{ revision: string; hash: string }>({
      name: 'ledger-stream-head',
      text: 'SELECT revision, hash FROM ledger_events WHERE stream = $1 ORDER BY revision DESC LIMIT 1',
      values: [stream],
    });
    return rows[0] ? { revision: BigInt(rows[0].revision), hash: rows[0].hash } : EMPTY_HEAD;
  }

  /**
   * Every append holds its stream's advisory lock until it commits, so an append that carries
   * conditions can hold the conditions' streams still (shared locks) while it checks and writes
   * (docs/consistency.md).
   */
  private async write(
    stream: string,
    events: SealedEvent[],
    conditions: readonly StreamCondition[],
  ): Promise<LedgerPosition> {
    if (conditions.length > 0) return this.writeWithConditions(stream, events, conditions);
    try {
      const rows = await this.query<{ position: string; transaction_id: string }>(
        events.length === 1 ? insertOne(events[0]) : insertBatch(events),
      );
      return lastPosition(rows);
    } catch (error) {
      throw uniqueConflict(error) ?? error;
    }
  }

  /**
   * One transaction: the locks (in key order, so two such appends never deadlock), then one
   * statement that checks each condition's stream head and inserts only if none moved. The
   * statement starts after the locks are granted, so it sees every append that held them.
   */
  private async writeWithConditions(
    stream: string,
    events: SealedEvent[],
    conditions: readonly StreamCondition[],
  ): Promise<LedgerPosition> {
    const locks = new Map<number, boolean>([[streamLockKey(stream), true]]);
    for (const condition of conditions) {
      const key = streamLockKey(condition.stream);
      if (!locks.has(key)) locks.set(key, false);
    }
    const lockList = [...locks]
      .sort(([a], [b]) => a - b)
      .map(
        ([key, exclusive]) =>
          `pg_advisory_xact_lock${exclusive ? '' : '_shared'}(${LOCK_NAMESPACE}, ${key})`,
      )
      .join(', ');
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateError(error);
    }
    let broken: Error | undefined;
    // The pool stops listening to a client it hands out: without this a connection lost while
    // waiting for a lock would be an unhandled 'error' event, and the process would exit.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      await client.query(`BEGIN; SELECT ${lockList}`);
      const insert =
        events.length === 1 ? insertOne(events[0], conditions) : insertBatch(events, conditions);
      const { rows } = await client.query<{ position: string; transaction_id: string }>(
        this.statement(insert),
      );
      if (rows.length === 0) {
        const moved = await this.movedCondition(client, conditions);
        await client.query('ROLLBACK');
        throw moved;
      }
      await client.query('COMMIT');
      return lastPosition(rows);
    } catch (error) {
      if (!(error instanceof StreamMoved)) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw uniqueConflict(error) ?? translateError(error);
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** The first condition whose stream is no longer at the revision it was read at. */
  private async movedCondition(
    client: PoolClient,
    conditions: readonly StreamCondition[],
  ): Promise<StreamMoved> {
    const heads = new Map(
      (
        await client.query<{ stream: string; revision: string }>({
          text: `SELECT stream, max(revision) AS revision FROM ledger_events
                 WHERE stream = ANY($1::text[]) GROUP BY stream`,
          values: [conditions.map((condition) => condition.stream)],
        })
      ).rows.map((row) => [row.stream, row.revision]),
    );
    for (const condition of conditions) {
      const expected =
        condition.revision === 'no_stream' ? 'no_stream' : condition.revision.toString();
      const actual = heads.get(condition.stream) ?? 'no_stream';
      if (actual !== expected) return new StreamMoved(condition.stream, expected, actual);
    }
    // Moved and moved back cannot happen (revisions only grow); a concurrent reader is the only way here.
    return new StreamMoved(conditions[0].stream, 'unchanged', 'changed');
  }

  private async findStored(ids: readonly string[]): Promise<StoredEventRef[]> {
    const rows = await this.query<{
      id: string;
      stream: string;
      revision: string;
      position: string;
      transaction_id: string;
    }>({
      name: 'ledger-find-stored',
      text: 'SELECT id, stream, revision, position, transaction_id FROM ledger_events WHERE id = ANY($1::uuid[])',
      values: [[...ids]],
    });
    return rows.map((row) => ({
      id: row.id,
      stream: row.stream,
      revision: BigInt(row.revision),
      position: formatPosition(rowPosition(row)),
    }));
  }

  private async streamExists(stream: string): Promise<boolean> {
    const rows = await this.query<{ found: number }>({
      name: 'ledger-stream-exists',
      text: 'SELECT 1 AS found FROM ledger_events WHERE stream = $1 LIMIT 1',
      values: [stream],
    });
    return rows.length > 0;
  }

  private statement(config: QueryConfig): QueryConfig {
    return this.options.preparedStatements ? config : { text: config.text, values: config.values };
  }

  private async query<Row>(config: QueryConfig): Promise<Row[]> {
    try {
      const result = await this.pool.query(this.statement(config));
      return result.rows as Row[];
    } catch (error) {
      throw translateError(error);
    }
  }

  /**
   * Tells other processes' subscriptions that the ledger moved. Sent after the append commits
   * and coalesced to one NOTIFY in flight, because NOTIFY inside the appending transaction
   * would serialise every commit on PostgreSQL's notification queue lock.
   */
  private announce(): void {
    if (!this.options.listenConnectionString) return;
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    this.announcing = true;
    this.pool
      .query({ text: 'SELECT pg_notify($1, $2)', values: [NOTIFY_CHANNEL, ''] })
      .catch((error: unknown) =>
        this.options.onWarning?.('ledger NOTIFY failed; other processes will poll', error),
      )
      .finally(() => {
        // Whatever was appended meanwhile is announced by one more NOTIFY a little later.
        setTimeout(() => {
          this.announcing = false;
          if (this.announceAgain && !this.closed) {
            this.announceAgain = false;
            this.announce();
          }
        }, ANNOUNCE_SPACING_MS).unref();
      });
  }

  /** Keeps trying, with backoff, while any subscription is open. */
  private listenLater(): void {
    if (this.closed || this.subscriptions.size === 0 || this.listenTimer) return;
    this.listenTimer = setTimeout(() => {
      this.listenTimer = undefined;
      if (this.subscriptions.size > 0) void this.ensureListening();
    }, this.listenRetryMs);
    this.listenTimer.unref();
    this.listenRetryMs = Math.min(this.listenRetryMs * 2, 30_000);
  }

  private ensureListening(): Promise<void> {
    if (this.listening || this.closed) return this.listening ?? Promise.resolve();
    this.listening = (async () => {
      const client = new Client({
        connectionString: this.options.listenConnectionString,
        connectionTimeoutMillis: 5000,
      });
      client.on('notification', () => this.wake.notify());
      client.on('error', (error) => {
        this.options.onWarning?.('ledger LISTEN connection lost; polling until it is back', error);
        this.listener = undefined;
        this.listening = undefined;
        void client.end().catch(() => undefined);
        this.listenLater();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
        if (this.closed) await client.end();
        else this.listener = client;
        this.listenRetryMs = LISTEN_RETRY_MS;
        // Whatever was appended while (re)connecting was never announced to this connection.
        this.wake.notify();
      } catch (error) {
        this.options.onWarning?.(
          'ledger LISTEN connection failed; polling until it is back',
          error,
        );
        this.listening = undefined;
        await client.end().catch(() => undefined);
        this.listenLater();
      }
    })();
    return this.listening;
  }
}

const INSERT_COLUMNS =
  'INSERT INTO ledger_events (id, stream, revision, type, data, metadata, hash, prev_hash)';
const LOCK_NAMESPACE = STREAM_LOCK_NAMESPACE;

/** The first half of the advisory lock a read-model transaction takes ('ATRM'): never a ledger writer. */
export const READ_MODEL_LOCK_NAMESPACE = 0x4154524d;

/**
 * Marks the transaction of `run` as one that never appends to the ledger (a projection's page):
 * delivery does not wait for it (SETTLED_FRONTIER). A shared lock, so marks never wait on each other.
 */
export const MARK_READ_MODEL_TRANSACTION = `SELECT pg_advisory_xact_lock_shared(${READ_MODEL_LOCK_NAMESPACE}, 0)`;

/**
 * One row, `frontier`: every ledger row whose transaction id is below it is settled — its
 * transaction has committed (visible to this statement) or rolled back, and no transaction still
 * running can add a row below it. The frontier is the oldest transaction still running (in this
 * statement's snapshot) that might append to the ledger; while none is, the snapshot's xmax.
 *
 * A running transaction is passed over only on proof it cannot append:
 * - its backend is connected to another database (pg_stat_activity; a backend never changes
 *   database, and a transaction id is never reused, so a row naming it is proof), or
 * - it holds the read-model mark: in one read of the lock table, the mark is held by the same
 *   virtual transaction that holds the transaction id's own lock. (Matching on the backend alone
 *   would not do: the transaction may end after the snapshot and its backend start marked work.)
 * A transaction that ends in between is not found, and is waited for until the next read: never
 * a skipped append. A read-only transaction has no transaction id and never appears at all.
 * (Transaction ids are compared modulo 2^32, as backend_xid and pg_locks have no epoch; a false
 * match could only come from another epoch, billions of transactions apart.)
 */
const SETTLED_FRONTIER = `
  WITH locks AS MATERIALIZED (
    SELECT locktype, transactionid, virtualtransaction, classid, objid, objsubid, granted
    FROM pg_locks)
  SELECT coalesce(
    (SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
     WHERE NOT EXISTS (
       SELECT 1 FROM pg_stat_activity a
       WHERE a.backend_xid::text = (x::text::numeric % 4294967296)::text
         AND a.datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database()))
       AND NOT EXISTS (
       SELECT 1 FROM locks t JOIN locks m ON m.virtualtransaction = t.virtualtransaction
       WHERE t.locktype = 'transactionid'
         AND t.transactionid::text = (x::text::numeric % 4294967296)::text
         AND m.locktype = 'advisory' AND m.granted
         AND m.classid::bigint = ${READ_MODEL_LOCK_NAMESPACE} AND m.objid = 0 AND m.objsubid = 2)),
    pg_snapshot_xmax(snap.s)) AS frontier
  FROM (SELECT pg_current_snapshot() AS s) snap`;

/**
 * Inserts only while every condition's stream is at the revision it was read at (a missing
 * stream's head is NULL, as is `no_stream`'s expectation).
 */
function guard(firstParam: number): string {
  return `NOT EXISTS (
    SELECT 1 FROM unnest($${firstParam}::text[], $${firstParam + 1}::bigint[]) AS c(stream, expected)
    WHERE (SELECT max(l.revision) FROM ledger_events l WHERE l.stream = c.stream)
          IS DISTINCT FROM c.expected)`;
}

function conditionValues(conditions: readonly StreamCondition[]): unknown[] {
  return [
    conditions.map((condition) => condition.stream),
    conditions.map((condition) =>
      condition.revision === 'no_stream' ? null : condition.revision.toString(),
    ),
  ];
}

/** The common pipeline write: one event, plain parameters, under its stream's lock. */
function insertOne(event: SealedEvent, conditions: readonly StreamCondition[] = []): QueryConfig {
  const guarded = conditions.length > 0;
  return {
    name: guarded ? 'ledger-append-one-guarded' : 'ledger-append-one',
    text: `${INSERT_COLUMNS}
           SELECT $1::uuid, $2::text, $3::bigint, $4::text, $5::jsonb, $6::jsonb, $7::text, $8::text
           FROM (SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, $9::int4)) AS stream_lock
           ${guarded ? `WHERE ${guard(10)}` : ''}
           RETURNING position, transaction_id`,
    values: [
      event.id,
      event.stream,
      event.revision.toString(),
      event.type,
      JSON.stringify(event.data),
      JSON.stringify(event.metadata),
      event.hash,
      event.prevHash,
      streamLockKey(event.stream),
      ...(guarded ? conditionValues(conditions) : []),
    ],
  };
}

/**
 * A batch: one statement and one parameter, built from the canonical JSON that was just hashed
 * (it holds every column but the hash), so nothing is serialised twice or escaped per value.
 */
function insertBatch(
  events: SealedEvent[],
  conditions: readonly StreamCondition[] = [],
): QueryConfig {
  const guarded = conditions.length > 0;
  return {
    name: guarded ? 'ledger-append-batch-guarded' : 'ledger-append-batch',
    text: `${INSERT_COLUMNS}
           SELECT e.id, e.stream, e.revision, e.type, e.data, e.metadata, e.hash, e."prevHash"
           FROM (SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, $2::int4)) AS stream_lock,
                jsonb_to_recordset($1::jsonb)
                AS e(id uuid, stream text, revision bigint, type text, data jsonb, metadata jsonb, hash text, "prevHash" text)
           ${guarded ? `WHERE ${guard(3)}` : ''}
           ORDER BY e.revision
           RETURNING position, transaction_id`,
    values: [
      `[${events.map((event) => `{"hash":"${event.hash}",${event.canonical.slice(1)}`).join(',')}]`,
      streamLockKey(events[0].stream),
      ...(guarded ? conditionValues(conditions) : []),
    ],
  };
}

function lastPosition(rows: { position: string; transaction_id: string }[]): LedgerPosition {
  const last = rows.reduce((a, b) => (BigInt(a.position) > BigInt(b.position) ? a : b));
  return formatPosition(rowPosition(last));
}

/** A unique violation on append: someone else took the revision, or the event id is stored. */
function uniqueConflict(error: unknown): Error | undefined {
  if (!(error instanceof DatabaseError) || error.code !== '23505') return undefined;
  if (error.constraint === 'ledger_events_pkey') return new EventIdTaken(error.message);
  return new RevisionTaken(error.message);
}

function rowPosition(row: { position: string; transaction_id: string }): PgPosition {
  return { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.position) };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    stream: row.stream,
    revision: BigInt(row.revision),
    data: row.data ?? {},
    metadata: {
      ...(row.metadata as RecordedEvent['metadata']),
      integrity: { prevHash: row.prev_hash, hash: row.hash },
    },
    position: formatPosition(rowPosition(row)),
    recordedAt: row.recorded_at,
  };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function translateError(error: unknown): unknown {
  switch (classifyDatabaseError(error)) {
    case 'bad-value':
      return new UnstorableEvent((error as Error).message);
    case 'unavailable':
      return new LedgerUnavailable((error as Error).message);
    default:
      return error;
  }
}
