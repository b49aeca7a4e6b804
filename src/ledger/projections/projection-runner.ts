import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiscoveryService } from '@nestjs/core';
import { DataSource } from 'typeorm';
import {
  EVENT_LOG,
  EventLog,
  LedgerPosition,
  RecordedEvent,
  Subscription,
} from '../event-log.port';
import { Projection, ReadModelProjection } from './projection';

export interface ProjectionStatus {
  name: string;
  state: 'stopped' | 'catching-up' | 'live' | 'failing';
  position: LedgerPosition | null;
  caughtUp: boolean;
  eventsApplied: number;
  failures: number;
  lastError: string | null;
  /** 0 when live; otherwise seconds since the newest event it has applied was recorded. */
  lagSeconds: number;
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
}

export const PROJECTION_RETRY_MS = Symbol('ProjectionRetryMs');

/**
 * A checkpoint that passes only events the projection ignores is written at most this often: it
 * moves in memory (reads waiting on X-Ledger-Position see it at once), and after a crash the
 * projection merely re-reads events it skips. Without this every append costs every projection
 * a transaction.
 */
const IDLE_CHECKPOINT_MS = 1000;

/** Thrown inside a batch transaction when another runner has moved the checkpoint. */
class CheckpointMoved extends Error {}

/**
 * Feeds each projection from the log in global order. A batch (one page of the subscription)
 * is applied in one transaction with the projection's checkpoint, after checking that the
 * checkpoint is still where the batch started: crash, retry or a second runner never apply an
 * event twice or skip one.
 */
@Injectable()
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly workers = new Map<string, Worker>();
  private readonly waiters = new Set<() => void>();
  private stopping = false;
  /** Aborted by stop(), so a retry backoff never outlives the runner. */
  private halt = new AbortController();

  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    @Inject(PROJECTION_RETRY_MS) private readonly retryMs: number,
  ) {}

  projections(): Projection[] {
    if (this.workers.size === 0) {
      for (const wrapper of this.discovery.getProviders({ metadataKey: ReadModelProjection.KEY })) {
        const projection = wrapper.instance as Projection;
        this.workers.set(projection.name, { projection, status: initialStatus(projection.name) });
      }
    }
    return [...this.workers.values()].map((worker) => worker.projection);
  }

  status(): ProjectionStatus[] {
    this.projections();
    return [...this.workers.values()].map((worker) => ({
      ...worker.status,
      lagSeconds: lagSeconds(worker),
    }));
  }

  /** Starts every projection (or the named ones) from its checkpoint. */
  async start(names?: readonly string[]): Promise<void> {
    this.stopping = false;
    if (this.halt.signal.aborted) this.halt = new AbortController();
    for (const projection of this.select(names)) {
      const worker = this.workers.get(projection.name) as Worker;
      if (worker.running) continue;
      await this.ensureCheckpointRow(projection.name);
      worker.running = this.run(worker).finally(() => (worker.running = undefined));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.halt.abort();
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
  ): Promise<void> {
    const selected = this.select(names);
    for (const projection of selected) {
      const worker = this.workers.get(projection.name) as Worker;
      // The live worker steps aside, or its next batch would meet a checkpoint the rebuild moved.
      const wasRunning = Boolean(worker.running);
      worker.paused = true;
      await worker.subscription?.close();
      await worker.running;
      try {
        await this.rebuildOne(projection, worker, onProgress);
      } finally {
        worker.paused = false;
        if (wasRunning && !this.stopping) await this.start([projection.name]);
      }
    }
  }

  private async rebuildOne(
    projection: Projection,
    worker: Worker,
    onProgress?: (name: string, applied: number) => void,
  ): Promise<void> {
    {
      await this.ensureCheckpointRow(projection.name);
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
          await this.commit(worker, batchStart, batch, message.position);
          batchStart = message.position;
          batch = [];
          onProgress?.(projection.name, worker.status.eventsApplied);
        } else break;
      }
      await subscription.close();
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
            if (await this.commit(worker, batchStart, batch, message.position, true))
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
        // Another runner applied that batch first: carry on from its checkpoint, nothing failed.
        if (error instanceof CheckpointMoved) continue;
        status.failures += 1;
        status.state = 'failing';
        status.caughtUp = false;
        status.lastError = error instanceof Error ? error.message : String(error);
        this.logger.error(
          { projection: projection.name, err: error },
          'projection batch failed; retrying from its checkpoint',
        );
        await this.pause(Math.min(this.retryMs * 2 ** Math.min(status.failures - 1, 8), 30_000));
      }
    }
    status.state = 'stopped';
  }

  private async commit(
    worker: Worker,
    batchStart: LedgerPosition | null,
    batch: RecordedEvent[],
    position: LedgerPosition,
    lazy = false,
  ): Promise<boolean> {
    const { projection } = worker;
    if (lazy && batch.length === 0 && Date.now() - (worker.persistedAt ?? 0) < IDLE_CHECKPOINT_MS) {
      worker.status.position = position;
      this.wakeWaiters();
      return false;
    }
    await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        'SELECT position FROM projection_checkpoints WHERE projection = $1 FOR UPDATE',
        [projection.name],
      )) as { position: string | null }[];
      if ((row?.position ?? null) !== batchStart)
        throw new CheckpointMoved(`${projection.name} was moved by another runner`);
      for (const event of batch) await projection.apply(event, manager);
      await manager.query(
        'UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE projection = $1',
        [projection.name, position],
      );
    });
    worker.status.position = position;
    worker.status.eventsApplied += batch.length;
    worker.persistedAt = Date.now();
    if (batch.length > 0) worker.lastAppliedRecordedAt = batch[batch.length - 1].recordedAt;
    this.wakeWaiters();
    return true;
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
  }
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
