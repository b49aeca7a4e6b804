import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiscoveryService } from '@nestjs/core';
import { DataSource, EntityManager } from 'typeorm';
import {
  EVENT_LOG,
  EventLog,
  LedgerPosition,
  RecordedEvent,
  Subscription,
} from '../event-log.port';
import { Projection, ReadModelProjection } from './projection';
import {
  NO_FAULTS,
  OpenFaults,
  classifyProjectionError,
  describeProjectionError,
  readOpenFaults,
  recordFault,
  resolveFaultsExcept,
} from './projection-faults';

export interface ProjectionStatus {
  name: string;
  /** `faulted`: running (live or catching up) past events it could not apply (`faults`). */
  state: 'stopped' | 'catching-up' | 'live' | 'failing' | 'faulted';
  position: LedgerPosition | null;
  caughtUp: boolean;
  eventsApplied: number;
  /** Transactions that failed and were rolled back since start (each retried or split). */
  failures: number;
  /** The last failure's SQLSTATE or error class and its message without literal values. */
  lastError: string | null;
  /** 0 when live; otherwise seconds since the newest event it has applied was recorded. */
  lagSeconds: number;
  /** Open faults in `projection_faults`: events skipped because they cannot be applied. */
  faults: OpenFaults;
  /** Faults this process has recorded since start. */
  faultsRecorded: number;
}

/** What a rebuild did to one projection. */
export interface RebuildResult {
  name: string;
  eventsApplied: number;
  /** Events it still could not apply (each an open fault). */
  faulted: number;
  /** Open faults it closed: their events now apply (or no longer reach the projection). */
  resolved: number;
}

interface Worker {
  projection: Projection;
  status: ProjectionStatus;
  /** When the checkpoint was last written; a checkpoint past only other events waits a while. */
  persistedAt?: number;
  lastAppliedRecordedAt?: Date;
  subscription?: Subscription;
  running?: Promise<void>;
  /** Set while a rebuild has this projection to itself. */
  paused?: boolean;
  faults: OpenFaults;
  /** Transient failures since the last applied batch: the backoff grows with them. */
  failingInARow?: number;
  /** Events faulted during the rebuild under way. */
  rebuildFaults?: Set<string>;
}

export const PROJECTION_RETRY_MS = Symbol('ProjectionRetryMs');

/**
 * A checkpoint that passes only events the projection ignores is written at most this often: it
 * moves in memory (reads waiting on X-Ledger-Position see it at once), and after a crash the
 * projection merely re-reads events it skips. Without this every append costs every projection
 * a transaction.
 */
const IDLE_CHECKPOINT_MS = 1000;

/**
 * An event that fails on its own is tried this many times, each in its own transaction, before
 * it is recorded as a fault: a failure that goes away was not the event's.
 */
const ATTEMPTS_ALONE = 3;

/** Open faults are read again at most this often for readiness and metrics. */
const FAULTS_MAX_AGE_MS = 1000;
/** How long readiness and metrics wait for that read before showing the faults last read. */
const FAULTS_READ_MS = 1000;

/** How long the start waits for the ledger's head (progress only) before going on without it. */
const HEAD_READ_MS = 2000;

/** While the projections catch up at start, their progress is logged at most this often. */
const CATCH_UP_REPORT_MS = 1000;

/** Thrown inside a batch transaction when another runner has moved the checkpoint. */
class CheckpointMoved extends Error {}

/** Ends the search for a failing event when the runner stops or a rebuild takes over. */
class RunnerHalted extends Error {}

/**
 * Feeds each projection from the log in global order. A batch (one page of the subscription)
 * is applied in one transaction with the projection's checkpoint, after checking that the
 * checkpoint is still where the batch started: crash, retry or a second runner never apply an
 * event twice or skip one.
 *
 * A transient failure (database unreachable, serialization, deadlock) retries the batch with
 * backoff. Any other is split: halves apply on their own, and an event that still fails alone,
 * ATTEMPTS_ALONE times, is recorded in `projection_faults` in the transaction that moves the
 * checkpoint past it, so one bad event never stalls the read side (README "Projection faults").
 */
@Injectable()
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly workers = new Map<string, Worker>();
  private readonly waiters = new Set<() => void>();
  private stopping = false;
  /** Aborted by stop(), so a retry backoff never outlives the runner. */
  private halt = new AbortController();
  private faultsReadAt = 0;
  /** Set by the first start() of every projection until they have all caught up once. */
  private catchUp?: CatchUpReport;
  private catchUpBegun = false;
  private readonly caughtUpOnce: Promise<number>;
  private reportCaughtUp: (seconds: number) => void = () => undefined;

  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    @Inject(PROJECTION_RETRY_MS) private readonly retryMs: number,
  ) {
    this.caughtUpOnce = new Promise((resolve) => (this.reportCaughtUp = resolve));
  }

  /**
   * Resolves, with the seconds it took, once every projection has caught up with the ledger
   * after the first start() (main.ts logs "ready" then).
   */
  caughtUp(): Promise<number> {
    return this.caughtUpOnce;
  }

  projections(): Projection[] {
    if (this.workers.size === 0) {
      for (const wrapper of this.discovery.getProviders({ metadataKey: ReadModelProjection.KEY })) {
        const projection = wrapper.instance as Projection;
        this.workers.set(projection.name, {
          projection,
          status: initialStatus(projection.name),
          faults: NO_FAULTS,
        });
      }
    }
    return [...this.workers.values()].map((worker) => worker.projection);
  }

  status(): ProjectionStatus[] {
    this.projections();
    return [...this.workers.values()].map((worker) => ({
      ...worker.status,
      state:
        worker.faults.open > 0 && ['live', 'catching-up'].includes(worker.status.state)
          ? 'faulted'
          : worker.status.state,
      lagSeconds: lagSeconds(worker),
      faults: worker.faults,
    }));
  }

  /**
   * Reads the open faults of every projection again (at most once a second unless `maxAgeMs`
   * says otherwise), so status() shows faults another process recorded or resolved.
   */
  async refreshFaults(maxAgeMs = FAULTS_MAX_AGE_MS): Promise<void> {
    if (Date.now() - this.faultsReadAt < maxAgeMs) return;
    this.faultsReadAt = Date.now();
    // A probe or a scrape must answer while the database does not: keep the last faults known.
    const open = await within(
      readOpenFaults(this.dataSource.manager),
      FAULTS_READ_MS,
      'projection faults unread',
    );
    this.projections();
    for (const worker of this.workers.values())
      worker.faults = open.get(worker.projection.name) ?? NO_FAULTS;
  }

  /** Starts every projection (or the named ones) from its checkpoint. */
  async start(names?: readonly string[]): Promise<void> {
    this.stopping = false;
    if (this.halt.signal.aborted) this.halt = new AbortController();
    const everyProjection = !names || names.length === 0;
    if (everyProjection && !this.catchUpBegun) await this.beginCatchUp();
    for (const projection of this.select(names)) {
      const worker = this.workers.get(projection.name) as Worker;
      if (worker.running) continue;
      await this.ensureCheckpointRow(projection.name);
      worker.running = this.run(worker).finally(() => (worker.running = undefined));
    }
    if (this.catchUp) this.reportCatchUp(this.catchUp);
    // The projections run already: faults left unread (database slow or down) are read later.
    await this.refreshFaults(0).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.halt.abort();
    this.catchUp = undefined;
    const workers = [...this.workers.values()];
    await Promise.all(workers.map((worker) => worker.subscription?.close()));
    await Promise.all(workers.map((worker) => worker.running));
    this.wakeWaiters();
  }

  /**
   * Empties the projection's tables, resets its checkpoint and replays the whole log into it,
   * resolving once it has caught up with what was committed when the rebuild started.
   */
  async rebuild(
    names?: readonly string[],
    onProgress?: (name: string, applied: number) => void,
  ): Promise<RebuildResult[]> {
    const selected = this.select(names);
    const results: RebuildResult[] = [];
    for (const projection of selected) {
      const worker = this.workers.get(projection.name) as Worker;
      // The live worker steps aside, or its next batch would meet a checkpoint the rebuild moved.
      const wasRunning = Boolean(worker.running);
      worker.paused = true;
      await worker.subscription?.close();
      await worker.running;
      try {
        results.push(await this.rebuildOne(projection, worker, onProgress));
      } finally {
        worker.paused = false;
        worker.rebuildFaults = undefined;
        if (wasRunning && !this.stopping) await this.start([projection.name]);
      }
    }
    // The rebuild is done: faults left unread (database slow or down) are read later.
    await this.refreshFaults(0).catch(() => undefined);
    return results;
  }

  /**
   * Rebuilds the projections (of those named) that hold open faults, once the code that could
   * not apply their events has been fixed: a fault whose event now applies is resolved.
   */
  async replayFaults(
    names?: readonly string[],
    onProgress?: (name: string, applied: number) => void,
  ): Promise<RebuildResult[]> {
    const open = await readOpenFaults(this.dataSource.manager);
    const faulted = this.select(names)
      .map((projection) => projection.name)
      .filter((name) => open.has(name));
    if (faulted.length === 0) return [];
    return this.rebuild(faulted, onProgress);
  }

  private async rebuildOne(
    projection: Projection,
    worker: Worker,
    onProgress?: (name: string, applied: number) => void,
  ): Promise<RebuildResult> {
    {
      await this.ensureCheckpointRow(projection.name);
      worker.rebuildFaults = new Set();
      await this.dataSource.transaction(async (manager) => {
        await manager.query(
          'SELECT position FROM projection_checkpoints WHERE projection = $1 FOR UPDATE',
          [projection.name],
        );
        if (projection.tables.length > 0)
          await manager.query(`TRUNCATE ${projection.tables.map(quoteIdent).join(', ')}`);
        await manager.query(
          'UPDATE projection_checkpoints SET position = NULL, updated_at = now() WHERE projection = $1',
          [projection.name],
        );
      });
      Object.assign(worker.status, { position: null, caughtUp: false, eventsApplied: 0 });
      const subscription = this.eventLog.subscribe({
        filter: { eventTypes: projection.eventTypes },
      });
      let batch: RecordedEvent[] = [];
      let batchStart: LedgerPosition | null = null;
      for await (const message of subscription) {
        if (message.kind === 'event') batch.push(message.event);
        else if (message.kind === 'checkpoint') {
          await this.commit(worker, batchStart, batch, message.position, () => false);
          batchStart = message.position;
          batch = [];
          onProgress?.(projection.name, worker.status.eventsApplied);
        } else break;
      }
      await subscription.close();
      const stillFaulted = [...worker.rebuildFaults];
      const resolved = await resolveFaultsExcept(
        this.dataSource.manager,
        projection.name,
        stillFaulted,
      );
      return {
        name: projection.name,
        eventsApplied: worker.status.eventsApplied,
        faulted: stillFaulted.length,
        resolved,
      };
    }
  }

  /** The furthest position any projection has applied: wait for it to have all read models agree. */
  furthestPosition(): LedgerPosition | null {
    let furthest: LedgerPosition | null = null;
    for (const worker of this.workers.values()) {
      const at = worker.status.position;
      if (at !== null && (furthest === null || this.eventLog.comparePositions(at, furthest) > 0)) {
        furthest = at;
      }
    }
    return furthest;
  }

  /** Resolves once every projection has applied everything up to `position`; false on timeout. */
  async waitFor(position: LedgerPosition, timeoutMs: number): Promise<boolean> {
    this.projections();
    const reached = () =>
      [...this.workers.values()].every(
        (worker) =>
          worker.status.position !== null &&
          this.eventLog.comparePositions(worker.status.position, position) >= 0,
      );
    if (reached()) return true;
    return new Promise((resolve) => {
      const check = () => {
        if (!reached() && !this.stopping) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(reached());
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(reached());
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private async run(worker: Worker): Promise<void> {
    const { projection, status } = worker;
    while (!this.stopping && !worker.paused) {
      try {
        const from = await this.readCheckpoint(projection.name);
        status.position = from;
        status.state = 'catching-up';
        const subscription = this.eventLog.subscribe({
          from: from ?? undefined,
          filter: { eventTypes: projection.eventTypes },
        });
        worker.subscription = subscription;
        let batch: RecordedEvent[] = [];
        let batchStart = from;
        for await (const message of subscription) {
          if (this.stopping || worker.paused) break;
          if (message.kind === 'event') {
            batch.push(message.event);
          } else if (message.kind === 'checkpoint') {
            const halted = () => this.stopping || Boolean(worker.paused);
            if (await this.commit(worker, batchStart, batch, message.position, halted, true))
              batchStart = message.position;
            batch = [];
            status.caughtUp = false;
            status.lastError = null;
          } else {
            status.caughtUp = true;
            status.state = 'live';
            this.wakeWaiters();
          }
        }
        await subscription.close();
      } catch (error) {
        worker.subscription?.close().catch(() => undefined);
        if (this.stopping) break;
        if (error instanceof RunnerHalted) continue;
        // Another runner applied that batch first: carry on from its checkpoint, nothing failed.
        if (error instanceof CheckpointMoved) {
          // It may have recorded faults this process has not seen.
          await this.refreshFaults(0).catch(() => undefined);
          continue;
        }
        const described = describeProjectionError(error);
        status.failures += 1;
        status.state = 'failing';
        status.caughtUp = false;
        status.lastError = `${described.code}: ${described.message}`;
        // The error object itself is not logged: a driver error carries the statement's values.
        this.logger.error(
          { projection: projection.name, errorCode: described.code, error: described.message },
          'projection batch failed; retrying from its checkpoint',
        );
        worker.failingInARow = (worker.failingInARow ?? 0) + 1;
        await this.pause(
          Math.min(this.retryMs * 2 ** Math.min(worker.failingInARow - 1, 8), 30_000),
        );
      }
    }
    status.state = 'stopped';
  }

  /**
   * Applies a batch and moves the checkpoint to `position`; false when only the in-memory
   * checkpoint moved (lazy, nothing to apply). A batch that fails other than transiently is
   * split to find the events that cannot be applied (applyApart).
   */
  private async commit(
    worker: Worker,
    batchStart: LedgerPosition | null,
    batch: RecordedEvent[],
    position: LedgerPosition,
    halted: () => boolean,
    lazy = false,
  ): Promise<boolean> {
    if (lazy && batch.length === 0 && Date.now() - (worker.persistedAt ?? 0) < IDLE_CHECKPOINT_MS) {
      worker.status.position = position;
      this.wakeWaiters();
      return false;
    }
    try {
      await this.applyInTransaction(worker, batchStart, batch, position);
    } catch (error) {
      if (!this.worthSplitting(worker, batch, error)) throw error;
      await this.applyApart(worker, batchStart, batch, position, halted);
    }
    return true;
  }

  /** Counts a failed transaction; true when its events should be tried in smaller groups. */
  private worthSplitting(worker: Worker, events: RecordedEvent[], error: unknown): boolean {
    if (error instanceof CheckpointMoved || events.length === 0) return false;
    if (classifyProjectionError(error) === 'transient') return false;
    const described = describeProjectionError(error);
    worker.status.failures += 1;
    worker.status.lastError = `${described.code}: ${described.message}`;
    return true;
  }

  /** Halves a failing group until each half applies or is one event (applyAlone). */
  private async applyApart(
    worker: Worker,
    start: LedgerPosition | null,
    events: RecordedEvent[],
    end: LedgerPosition,
    halted: () => boolean,
  ): Promise<void> {
    if (events.length === 1) return this.applyAlone(worker, start, events[0], end, halted);
    const middle = Math.ceil(events.length / 2);
    const halves: [RecordedEvent[], LedgerPosition | null, LedgerPosition][] = [
      [events.slice(0, middle), start, events[middle - 1].position],
      [events.slice(middle), events[middle - 1].position, end],
    ];
    for (const [half, from, to] of halves) {
      if (halted()) throw new RunnerHalted();
      try {
        await this.applyInTransaction(worker, from, half, to);
      } catch (error) {
        if (!this.worthSplitting(worker, half, error)) throw error;
        await this.applyApart(worker, from, half, to, halted);
      }
    }
  }

  /**
   * Tries one event alone, in its own transaction, ATTEMPTS_ALONE times; if it never applies,
   * records it as a fault with the checkpoint moving past it in the same transaction.
   */
  private async applyAlone(
    worker: Worker,
    start: LedgerPosition | null,
    event: RecordedEvent,
    end: LedgerPosition,
    halted: () => boolean,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (halted()) throw new RunnerHalted();
      try {
        await this.applyInTransaction(worker, start, [event], end);
        return;
      } catch (error) {
        if (!this.worthSplitting(worker, [event], error)) throw error;
        if (attempt >= ATTEMPTS_ALONE) return this.recordFault(worker, start, event, end, error);
        await this.pause(this.retryMs);
      }
    }
  }

  private async applyInTransaction(
    worker: Worker,
    batchStart: LedgerPosition | null,
    batch: RecordedEvent[],
    position: LedgerPosition,
  ): Promise<void> {
    const { projection } = worker;
    await this.dataSource.transaction(async (manager) => {
      await this.lockCheckpoint(manager, projection.name, batchStart);
      if (projection.applyPage)
        await projection.applyPage(batch, {
          manager,
          from: batchStart,
          to: position,
          rebuilding: false,
        });
      else for (const event of batch) await projection.apply?.(event, manager);
      await manager.query(
        'UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE projection = $1',
        [projection.name, position],
      );
    });
    worker.status.position = position;
    worker.status.eventsApplied += batch.length;
    worker.persistedAt = Date.now();
    worker.failingInARow = 0;
    if (batch.length > 0) worker.lastAppliedRecordedAt = batch[batch.length - 1].recordedAt;
    this.wakeWaiters();
  }

  private async recordFault(
    worker: Worker,
    start: LedgerPosition | null,
    event: RecordedEvent,
    end: LedgerPosition,
    error: unknown,
  ): Promise<void> {
    const { projection } = worker;
    const described = describeProjectionError(error);
    await this.dataSource.transaction(async (manager) => {
      await this.lockCheckpoint(manager, projection.name, start);
      await recordFault(manager, projection.name, event, described);
      await manager.query(
        'UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE projection = $1',
        [projection.name, end],
      );
    });
    worker.status.position = end;
    worker.status.faultsRecorded += 1;
    worker.persistedAt = Date.now();
    worker.rebuildFaults?.add(event.id);
    // The stream is left out: a stream name can name a person (access-log-<sub>).
    this.logger.error(
      {
        projection: projection.name,
        eventId: event.id,
        eventType: event.type,
        ledgerPosition: event.position,
        errorCode: described.code,
        error: described.message,
      },
      `projection ${projection.name} cannot apply event ${event.id} (${described.code}); recorded in projection_faults and moved past it`,
    );
    await this.refreshFaults(0).catch(() => undefined);
    this.wakeWaiters();
  }

  /** Locks the projection's checkpoint row; throws CheckpointMoved unless it is at `expected`. */
  private async lockCheckpoint(
    manager: EntityManager,
    name: string,
    expected: LedgerPosition | null,
  ): Promise<void> {
    const [row] = (await manager.query(
      'SELECT position FROM projection_checkpoints WHERE projection = $1 FOR UPDATE',
      [name],
    )) as { position: string | null }[];
    if ((row?.position ?? null) !== expected)
      throw new CheckpointMoved(`${name} was moved by another runner`);
  }

  private async ensureCheckpointRow(name: string): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO projection_checkpoints (projection, position) VALUES ($1, NULL) ON CONFLICT (projection) DO NOTHING',
      [name],
    );
  }

  private async readCheckpoint(name: string): Promise<LedgerPosition | null> {
    const [row] = (await this.dataSource.query(
      'SELECT position FROM projection_checkpoints WHERE projection = $1',
      [name],
    )) as { position: string | null }[];
    return row?.position ?? null;
  }

  private select(names?: readonly string[]): Projection[] {
    const all = this.projections();
    if (!names || names.length === 0) return all;
    const unknown = names.filter((name) => !this.workers.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `unknown projection ${unknown.join(', ')}; known: ${all.map((p) => p.name).join(', ')}`,
      );
    }
    return all.filter((projection) => names.includes(projection.name));
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.halt.signal }).catch(() => undefined);
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
    if (this.catchUp) this.reportCatchUp(this.catchUp);
  }

  /**
   * Starts the start-up report: where the ledger's head is now and how far the slowest
   * projection's checkpoint is towards it; reportCatchUp follows their progress from there.
   */
  private async beginCatchUp(): Promise<void> {
    const startedAt = Date.now();
    this.catchUpBegun = true;
    // The head only feeds the progress lines: a store that fails or hangs must not hold the start.
    const head = await within(
      Promise.resolve().then(() => this.eventLog.headPosition()),
      HEAD_READ_MS,
      'ledger head unread',
    ).catch(() => null);
    this.catchUp = {
      startedAt,
      head: head ?? undefined,
      reportedAt: startedAt,
      caughtUp: new Set(),
    };
    const projections = this.projections();
    if (!head) {
      this.logger.log(
        `projections starting: ${projections.length} of them, ${head === null ? 'the ledger’s head unread (no percentage)' : 'the ledger is empty'}`,
      );
      return;
    }
    const rows = (await this.dataSource
      .query('SELECT projection, position FROM projection_checkpoints')
      .catch(() => [])) as { projection: string; position: string | null }[];
    const checkpoints = new Map(rows.map((row) => [row.projection, row.position]));
    this.logCatchUp(
      head,
      projections.map((projection) => ({
        name: projection.name,
        position: checkpoints.get(projection.name) ?? null,
      })),
      projections.length,
    );
  }

  private reportCatchUp(report: CatchUpReport): void {
    const workers = [...this.workers.values()];
    for (const worker of workers) {
      if (worker.status.caughtUp) report.caughtUp.add(worker.projection.name);
    }
    const now = Date.now();
    if (report.caughtUp.size === workers.length) {
      this.catchUp = undefined;
      const seconds = (now - report.startedAt) / 1000;
      this.logger.log(`projections caught up in ${seconds.toFixed(1)} s`);
      this.reportCaughtUp(seconds);
      return;
    }
    if (now - report.reportedAt < CATCH_UP_REPORT_MS || report.head === undefined) return;
    report.reportedAt = now;
    this.logCatchUp(
      report.head,
      workers
        .filter((worker) => !report.caughtUp.has(worker.projection.name))
        .map((worker) => ({ name: worker.projection.name, position: worker.status.position })),
      workers.length,
    );
  }

  /** One progress line: the slowest of the projections `behind`, as a share of the head. */
  private logCatchUp(
    head: LedgerPosition,
    behind: { name: string; position: LedgerPosition | null }[],
    total: number,
  ): void {
    const [slowest] = behind
      .map((projection) => ({
        name: projection.name,
        share: this.eventLog.fractionOf(projection.position, head),
      }))
      .sort((a, b) => a.share - b.share);
    if (!slowest) return;
    this.logger.log(
      `projections catching up: ${Math.floor(slowest.share * 100)}% of the ledger head ` +
        `(slowest ${slowest.name}; ${total - behind.length} of ${total} caught up)`,
    );
  }
}

/** `work`'s outcome, or a rejection naming `what` once `ms` have passed without one. */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(what)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface CatchUpReport {
  startedAt: number;
  /** The ledger's head when the projections started; undefined: it was empty (or unread). */
  head?: LedgerPosition;
  reportedAt: number;
  /** Projections that have reached the head once. */
  caughtUp: Set<string>;
}

function initialStatus(name: string): ProjectionStatus {
  return {
    name,
    state: 'stopped',
    position: null,
    caughtUp: false,
    eventsApplied: 0,
    failures: 0,
    lastError: null,
    lagSeconds: 0,
    faults: NO_FAULTS,
    faultsRecorded: 0,
  };
}

function lagSeconds(worker: Worker): number {
  if (worker.status.caughtUp) return 0;
  if (!worker.lastAppliedRecordedAt) return 0;
  return Math.max(0, (Date.now() - worker.lastAppliedRecordedAt.getTime()) / 1000);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
