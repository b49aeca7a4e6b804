import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import type { DatabaseOutage } from '../database/database-outage';
import { LeaseLost, ProjectionLeases } from './projection-leases';

/**
 * The first key of every projection lease (two-key advisory locks: 'ATPJ'); the second is
 * leaseKey(name). Apart from the event log's stream locks, the instance locks and the sealing
 * locks, so a lease never waits on anything else.
 */
export const PROJECTION_LEASE_NAMESPACE = 0x4154504a; // 'ATPJ'

/** A lease round trip (take, give back) that has not answered in this long: the connection is dead. */
const ROUND_TRIP_MS = 5000;

/**
 * The server drops the lease session of a host that vanished (no FIN, no RST: a network
 * partition, a powered-off machine) once TCP keepalives go unanswered for about this long:
 * idle 10 s, then 5 probes 4 s apart. A process that dies on a live host (kill -9 included)
 * loses its session, and its leases, at once.
 */
const SERVER_KEEPALIVE_OPTIONS =
  '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=4 -c tcp_keepalives_count=5';

/** How long shutdown waits for the runner to give its leases back before closing the session. */
const SHUTDOWN_RELEASE_MS = 10_000;

/** A stable 32-bit key for a projection's name: the first four bytes of its SHA-256, signed. */
export function leaseKey(name: string): number {
  return createHash('sha256').update(name, 'utf8').digest().readInt32BE(0);
}

/**
 * Projection leases on PostgreSQL (README, "Projector role"): each projection is a session-level
 * advisory lock (PROJECTION_LEASE_NAMESPACE, leaseKey(name)) taken with pg_try_advisory_lock on
 * ONE connection of its own, outside the pool. The lock lives as long as that session: a
 * projector that dies, kill -9 included, gives its leases back when the server ends its session,
 * and a standby's next acquire() takes them.
 *
 * fence() proves, inside a page's transaction, that the lease session is still the one holding
 * the lock: its backend pid holds it granted in pg_locks, and that backend is the same session
 * (its start time), so a recycled pid is never mistaken for it. A lease connection that fails
 * loses every lease at once (this process stops committing pages); the next acquire() connects
 * again and takes back whatever nobody else took meanwhile.
 */
export class PostgresLeases implements ProjectionLeases {
  private readonly logger = new Logger('ProjectionLeases');
  private client?: Client;
  private connecting?: Promise<Client>;
  /** The lease session: its backend pid and start time, as pg_stat_activity shows them. */
  private session?: { pid: number; startedAt: string };
  private readonly held = new Set<string>();
  private closed = false;
  /** Shutting down: the session closes once the last lease is given back. */
  private closeOnceReleased = false;

  constructor(
    private readonly url: string,
    private readonly options: {
      /** Names the lease session in pg_stat_activity (default: the URL's, else attest-leases). */
      applicationName?: string;
      /** Where a database outage is logged once (its failures here are then not logged again). */
      outage?: DatabaseOutage;
    } = {},
  ) {}

  /** Whether the lease session is open (readiness: a projector without one can take nothing). */
  connected(): boolean {
    return this.client !== undefined;
  }

  /** The projections this process holds now (as of the last acquire, release or lost session). */
  holding(): ReadonlySet<string> {
    return new Set(this.held);
  }

  async acquire(names: readonly string[]): Promise<ReadonlySet<string>> {
    if (this.closed) return new Set();
    const wanted = [...keysOf(names).values()].filter((name) => !this.held.has(name));
    let client: Client;
    try {
      client = await this.connect();
    } catch (error) {
      if (!this.outage(error))
        this.logger.warn(
          `projection leases unavailable (${describe(error)}); retrying on the next acquire`,
        );
      return this.holding();
    }
    const keys = new Map(wanted.map((name) => [leaseKey(name), name]));
    try {
      // One round trip: tries every projection not held yet (a held one is never tried again:
      // session advisory locks count, and one release must give it back).
      const { rows } = await client.query<{ key: number; taken: boolean }>({
        text: `SELECT key, pg_try_advisory_lock($1::int4, key) AS taken
                 FROM unnest($2::int4[]) AS key`,
        values: [PROJECTION_LEASE_NAMESPACE, [...keys.keys()]],
      });
      if (client !== this.client) return this.holding();
      const taken = rows
        .filter((row) => row.taken)
        .map((row) => keys.get(Number(row.key)) as string);
      for (const name of taken) this.held.add(name);
      if (taken.length > 0)
        this.logger.log(`took ${taken.join(', ')} (lease session ${this.session?.pid})`);
    } catch (error) {
      this.lose(client, error);
    }
    return this.holding();
  }

  async fence(manager: EntityManager, name: string): Promise<void> {
    const session = this.session;
    if (!this.held.has(name) || !session) throw new LeaseLost(name);
    const rows = (await manager.query(
      `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.classid = $1::int4::oid AND l.objid = $2::int4::oid
          AND l.objsubid = 2 AND l.granted AND l.pid = $3 AND extract(epoch FROM a.backend_start) = $4::numeric`,
      [PROJECTION_LEASE_NAMESPACE, leaseKey(name), session.pid, session.startedAt],
    )) as unknown[];
    if (rows.length === 0) {
      // Whatever happened to the session, this process no longer holds the projection.
      this.held.delete(name);
      throw new LeaseLost(name);
    }
  }

  async release(names?: readonly string[]): Promise<void> {
    const giving = (names ?? [...this.held]).filter((name) => this.held.has(name));
    if (giving.length === 0) return;
    for (const name of giving) this.held.delete(name);
    const client = this.client;
    if (!client) return;
    try {
      await client.query({
        text: 'SELECT pg_advisory_unlock($1::int4, key) FROM unnest($2::int4[]) AS key',
        values: [PROJECTION_LEASE_NAMESPACE, giving.map(leaseKey)],
      });
      this.logger.log(`gave back ${giving.join(', ')}`);
    } catch (error) {
      // The session is gone or going: the server gives the locks back with it.
      this.lose(client, error);
    }
    if (this.closeOnceReleased && !this.closed && this.held.size === 0) await this.close();
  }

  /**
   * Nest's shutdown, after the HTTP server has closed. Modules shut down one after the other: if
   * the projection runner has not stopped yet, the session stays open until it gives its leases
   * back (its page under way still passes its fence), at most SHUTDOWN_RELEASE_MS.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.held.size === 0) return this.close();
    this.closeOnceReleased = true;
    setTimeout(() => void this.close(), SHUTDOWN_RELEASE_MS).unref();
  }

  /** Gives every lease back and closes the lease session (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.release().catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.session = undefined;
    await client?.end().catch(() => undefined);
  }

  /** The lease session, connecting (again) when there is none. */
  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({
      connectionString: this.url,
      connectionTimeoutMillis: ROUND_TRIP_MS,
      query_timeout: ROUND_TRIP_MS,
      keepAlive: true,
      options: SERVER_KEEPALIVE_OPTIONS,
      application_name:
        this.options.applicationName ?? applicationNameOf(this.url) ?? 'attest-leases',
    });
    // The server ended the session (terminated, restarted) or the socket broke: every lease is
    // gone with it. Listening here also keeps an idle client's error from crashing the process.
    client.on('error', (error) => this.lose(client, error));
    client.on('end', () => this.lose(client, new Error('the lease session ended')));
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number; started_at: string }>(
        `SELECT pid, extract(epoch FROM backend_start)::text AS started_at FROM pg_stat_activity
          WHERE pid = pg_backend_pid()`,
      );
      this.session = { pid: rows[0].pid, startedAt: rows[0].started_at };
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('projection leases closed');
    }
    this.client = client;
    return client;
  }

  /** True when `error` is a database outage, which DatabaseOutage logs once. */
  private outage(error: unknown): boolean {
    return this.options.outage?.noteError(error, 'the projection lease session') ?? false;
  }

  /** The lease session `client` is unusable: forget it and every lease it held. */
  private lose(client: Client, error: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.session = undefined;
    const lost = [...this.held];
    this.held.clear();
    // A session that did not answer may still hold its locks: ending it gives them back.
    client.end().catch(() => undefined);
    if (!this.closed && lost.length > 0) {
      const line = `lease session lost (${describe(error)}): gave up ${lost.join(', ')}; taking them again once it reconnects`;
      // In an outage the database's own line says it all; this one is for the record.
      if (this.outage(error)) this.logger.log(line);
      else this.logger.warn(line);
    }
  }
}

/** Each name by its lease key; two names with one key would share a lease, so that is refused. */
function keysOf(names: readonly string[]): Map<number, string> {
  const keys = new Map<number, string>();
  for (const name of names) {
    const key = leaseKey(name);
    const other = keys.get(key);
    if (other !== undefined && other !== name)
      throw new Error(`projections ${other} and ${name} have the same lease key; rename one`);
    keys.set(key, name);
  }
  return keys;
}

function applicationNameOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('application_name') ?? undefined;
  } catch {
    return undefined;
  }
}

/** An error's SQLSTATE or class and message: driver messages carry no statement values here. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: string }).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
