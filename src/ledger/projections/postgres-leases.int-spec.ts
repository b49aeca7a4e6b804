import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { scratchDatabase, withClient } from '../../../tests/support/test-database';
import { PROJECTION_LEASE_NAMESPACE, PostgresLeases, leaseKey } from './postgres-leases';
import { LeaseLost } from './projection-leases';

describe('leaseKey', () => {
  it('is a stable signed 32-bit key per projection name', () => {
    expect(leaseKey('stream-index')).toBe(leaseKey('stream-index'));
    expect(leaseKey('stream-index')).not.toBe(leaseKey('integrity-log'));
    for (const name of ['stream-index', 'integrity-log', 'lineage', 'predictions']) {
      expect(Number.isInteger(leaseKey(name))).toBe(true);
      expect(Math.abs(leaseKey(name))).toBeLessThanOrEqual(2 ** 31);
    }
  });
});

/** Polls `check` until it holds, or fails naming `what` once `ms` have passed. */
async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// PostgreSQL only: the embedded store is one process's, where SoleProjector holds every projection.
if (process.env.DATABASE_URL) {
  describe('PostgresLeases on PostgreSQL', () => {
    let database: { url: string; drop: () => Promise<void> };
    let pool: DataSource;
    const opened: PostgresLeases[] = [];
    const leases = (name: string) => {
      const url = new URL(database.url);
      url.searchParams.set('application_name', name);
      const made = new PostgresLeases(url.toString());
      opened.push(made);
      return made;
    };
    /** Which lease session holds each projection now, by application_name. */
    const holders = (): Promise<Record<string, string>> =>
      withClient(database.url, async (sql) => {
        const { rows } = await sql.query<{ key: number; holder: string }>(
          `SELECT l.objid::int4 AS key, a.application_name AS holder
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.classid = $1::int4::oid AND l.objsubid = 2
              AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [PROJECTION_LEASE_NAMESPACE],
        );
        const byKey = new Map(['alpha', 'beta'].map((name) => [leaseKey(name), name]));
        return Object.fromEntries(rows.map((row) => [byKey.get(row.key) ?? row.key, row.holder]));
      });
    const inPage = (holder: PostgresLeases, name: string) =>
      pool.transaction((manager) => holder.fence(manager, name));

    beforeEach(async () => {
      database = await scratchDatabase(process.env.DATABASE_URL as string, 'attest_leases');
      pool = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((made) => made.close()));
      await pool?.destroy();
      await database?.drop();
    });

    it('gives each projection to one process; the other holds none and its fence throws', async () => {
      const a = leases('projector-a');
      const b = leases('projector-b');
      expect([...(await a.acquire(['alpha', 'beta']))].sort()).toEqual(['alpha', 'beta']);
      expect([...(await b.acquire(['alpha', 'beta']))]).toEqual([]);
      // Again: a holder asking again keeps what it has (one lock each, not a second count).
      expect([...(await a.acquire(['alpha', 'beta']))].sort()).toEqual(['alpha', 'beta']);
      expect(await holders()).toEqual({ alpha: 'projector-a', beta: 'projector-a' });
      await expect(inPage(a, 'alpha')).resolves.toBeUndefined();
      await expect(inPage(b, 'alpha')).rejects.toBeInstanceOf(LeaseLost);
    });

    it('hands a released projection to the other process', async () => {
      const a = leases('projector-a');
      const b = leases('projector-b');
      await a.acquire(['alpha', 'beta']);
      await a.release(['beta']);
      await expect(inPage(a, 'beta')).rejects.toBeInstanceOf(LeaseLost);
      expect([...(await b.acquire(['alpha', 'beta']))]).toEqual(['beta']);
      expect(await holders()).toEqual({ alpha: 'projector-a', beta: 'projector-b' });
    });

    it('loses every lease when its session is terminated; the fence fails and the standby takes over', async () => {
      const a = leases('projector-a');
      const b = leases('projector-b');
      await a.acquire(['alpha', 'beta']);
      await b.acquire(['alpha', 'beta']);
      await withClient(database.url, (sql) =>
        sql.query(
          `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.classid = $1::int4::oid AND l.objid = $2::int4::oid
              AND l.objsubid = 2 AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [PROJECTION_LEASE_NAMESPACE, leaseKey('alpha')],
        ),
      );
      // Whether or not a has noticed yet, its fence proves nothing it no longer holds.
      await until('the terminated session is gone', async () => {
        try {
          await inPage(a, 'alpha');
          return false;
        } catch (error) {
          if (!(error instanceof LeaseLost)) throw error;
          return true;
        }
      });
      await until(
        'the standby holds both',
        async () => (await b.acquire(['alpha', 'beta'])).size === 2,
      );
      await expect(inPage(b, 'alpha')).resolves.toBeUndefined();
      // a reconnects and finds both taken.
      expect([...(await a.acquire(['alpha', 'beta']))]).toEqual([]);
      expect(await holders()).toEqual({ alpha: 'projector-b', beta: 'projector-b' });
    });

    it('gives its leases back when the process goes away, kill -9 included', async () => {
      // A session that simply disappears: a client holding the lock whose socket is destroyed.
      const doomed = new Client({ connectionString: database.url });
      await doomed.connect();
      doomed.on('error', () => undefined);
      await doomed.query('SELECT pg_try_advisory_lock($1::int4, $2::int4)', [
        PROJECTION_LEASE_NAMESPACE,
        leaseKey('alpha'),
      ]);
      const b = leases('projector-b');
      expect([...(await b.acquire(['alpha']))]).toEqual([]);
      (
        doomed as unknown as { connection: { stream: { destroy(): void } } }
      ).connection.stream.destroy();
      await until('the standby holds alpha', async () => (await b.acquire(['alpha'])).has('alpha'));
    });

    it('at shutdown keeps its session until the runner gives the leases back, then closes it', async () => {
      const a = leases('projector-a');
      await a.acquire(['alpha', 'beta']);
      await a.onApplicationShutdown();
      // The page under way when shutdown began still passes its fence.
      await expect(inPage(a, 'alpha')).resolves.toBeUndefined();
      await a.release(['alpha']);
      expect(a.connected()).toBe(true);
      await a.release(['beta']);
      expect(a.connected()).toBe(false);
      expect(await holders()).toEqual({});
    });

    it('closes at once at shutdown when it holds nothing', async () => {
      const a = leases('projector-a');
      await a.acquire([]);
      expect(a.connected()).toBe(true);
      await a.onApplicationShutdown();
      expect(a.connected()).toBe(false);
    });

    it('reconnects after losing its session and takes back what nobody took', async () => {
      const a = leases('projector-a');
      await a.acquire(['alpha']);
      await withClient(database.url, (sql) =>
        sql.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'projector-a' AND datname = current_database()`,
        ),
      );
      await until('a holds alpha again', async () => {
        await a.acquire(['alpha']);
        return (await holders()).alpha === 'projector-a' && a.holding().has('alpha');
      });
      await expect(inPage(a, 'alpha')).resolves.toBeUndefined();
    });
  });
}
