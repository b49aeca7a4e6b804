import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DATABASE_HANDLE, type DatabaseHandle } from '../database/database-handle';

/** The first key of every instance lock (two-key advisory locks: "ATST"); the second is the id. */
/** Apart from the event log's stream locks (namespace 'ATST'), so a stream never waits on a process. */
export const INSTANCE_LOCK_NAMESPACE = 0x41544950; // 'ATIP'
const RELOCK_MS = 1000;

/**
 * This process's identity as the owner of Idempotency-Key claims. On PostgreSQL it holds a
 * session-level advisory lock (INSTANCE_LOCK_NAMESPACE, id) on a connection of its own for as long
 * as it lives, so another replica sees at once whether a claim's owner is alive: the lock goes
 * when the process dies, kill -9 included, because its session ends with it. On the embedded
 * store one process owns the data dir, so every other owner is gone.
 */
@Injectable()
export class IdempotencyOwner implements OnModuleInit, OnApplicationShutdown {
  private ownId = randomInt(1, 2 ** 31 - 1);
  private locked = false;
  private readonly logger = new Logger('Idempotency');
  private lockClient?: Client;
  private relockTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    @Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle,
    private readonly dataSource: DataSource,
  ) {}

  /** This instance's id, recorded with each of its claims. */
  get id(): number {
    return this.ownId;
  }

  async onModuleInit(): Promise<void> {
    if (!this.handle.sharedSession) await this.lock();
    const released = await this.releaseDeadClaims();
    if (released > 0) {
      this.logger.log(
        `released ${released} Idempotency-Key claim(s) left by processes that are gone`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.relockTimer);
    await this.lockClient?.end().catch(() => undefined);
  }

  /** Whether the owner of a claim is alive (this process, or one holding its instance lock). */
  async isAlive(owner: number | null): Promise<boolean> {
    if (owner === null) return true; // claimed before owners were recorded: only age tells
    if (owner === this.id) return true;
    if (this.handle.sharedSession) return false;
    const [row] = (await this.dataSource.query(`SELECT ${LIVE_OWNER} AS alive`, [
      INSTANCE_LOCK_NAMESPACE,
      owner,
    ])) as { alive: boolean }[];
    return row.alive;
  }

  /** Deletes pending claims whose owner is provably gone; a retry then claims the key afresh. */
  async releaseDeadClaims(): Promise<number> {
    const result: unknown = this.handle.sharedSession
      ? await this.dataSource.query(
          `DELETE FROM idempotency_keys WHERE state = 'pending' AND owner IS NOT NULL AND owner <> $1
           RETURNING key`,
          [this.id],
        )
      : await this.dataSource.query(
          `DELETE FROM idempotency_keys k WHERE state = 'pending' AND owner IS NOT NULL
             AND owner <> $2 AND NOT ${LIVE_OWNER.replaceAll('$2', 'k.owner')}
           RETURNING key`,
          [INSTANCE_LOCK_NAMESPACE, this.id],
        );
    // TypeORM answers [rows, count] for a DELETE.
    const [rows, count] = result as [unknown[], number];
    return typeof count === 'number' ? count : rows.length;
  }

  private async lock(): Promise<void> {
    const client = new Client({ connectionString: this.handle.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => {
      // The lock went with the session: others may now take this process's claims over, which
      // derived event ids make harmless. Take it again once the database is back.
      if (this.lockClient === client) this.lockClient = undefined;
      this.relockLater();
    });
    try {
      await client.connect();
      for (;;) {
        const [{ locked }] = (
          await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
            INSTANCE_LOCK_NAMESPACE,
            this.ownId,
          ])
        ).rows;
        if (locked) break;
        // Another live instance drew the same id: before any claim is made, draw another.
        if (!this.locked) this.ownId = randomInt(1, 2 ** 31 - 1);
        else throw new Error('instance lock still held by the previous session');
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.locked = true;
    this.lockClient = client;
  }

  private relockLater(): void {
    if (this.closed || this.relockTimer) return;
    this.relockTimer = setTimeout(() => {
      this.relockTimer = undefined;
      this.lock().catch(() => this.relockLater());
    }, RELOCK_MS);
    this.relockTimer.unref();
  }
}

/** True while the instance $2 holds its advisory lock in this database ($1: the namespace). */
const LIVE_OWNER = `EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND classid = $1::int::oid AND objid = $2::int::oid AND objsubid = 2 AND granted)`;
