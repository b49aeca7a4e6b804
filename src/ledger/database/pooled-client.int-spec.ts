import type { EventEmitter } from 'node:events';
import { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { TestDatabase, createTestDatabase, storeKinds } from '../../../tests/support/test-database';
import { ledgerPool } from '../event-log.factory';
import { PooledClient } from './pooled-client';

/** What a backend ended by pg_terminate_backend (or a server shutdown) sends before it closes. */
function fatal(): Error {
  return Object.assign(new Error('terminating connection due to administrator command'), {
    severity: 'FATAL',
    code: '57P01',
  });
}

/**
 * Delivers a FATAL to the next client `pool` hands out, at the moment a server's message can reach
 * it unheard: pg-pool has stopped listening to the client and the borrower, a promise callback
 * later, has not started. (On a real server this is the FATAL arriving in the same socket read as
 * the message that completed the hand-out.) Resolves with what delivering it threw, if anything.
 */
function faultNextHandOut(pool: Pool): Promise<unknown> {
  return new Promise((resolve) => {
    pool.once('acquire', (client: PoolClient) =>
      queueMicrotask(() => {
        try {
          // pg's own parser emits a server's ErrorResponse as this event on the connection.
          (client as unknown as { connection: EventEmitter }).connection.emit(
            'errorMessage',
            fatal(),
          );
          resolve(undefined);
        } catch (error) {
          resolve(error);
        }
      }),
    );
  });
}

describe.each(storeKinds())('a pooled connection ended while it is handed out (%s)', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });

  afterAll(() => database?.close());

  it("with pg's own client it is an unhandled 'error' event, which would end the process", async () => {
    const pool = new Pool({ connectionString: database.url, max: 1 });
    try {
      const thrown = faultNextHandOut(pool);
      const client = await pool.connect();
      const error = await thrown;
      // What the process would have died of was caught above: close this client quietly.
      client.on('error', () => undefined);
      client.release(true);
      // (Node wraps an error from another realm, as jest's are, in ERR_UNHANDLED_ERROR.)
      expect(String(error)).toMatch(/terminating connection due to administrator command/);
    } finally {
      await pool.end();
    }
  });

  it("the ledger's pool: the borrower meets it as a failed query, and the next one gets a new connection", async () => {
    const warnings: unknown[] = [];
    const pool = ledgerPool(database, { databasePoolSize: 1 }, (_message, error) =>
      warnings.push(error),
    );
    try {
      const thrown = faultNextHandOut(pool);
      const client = await pool.connect();
      expect(await thrown).toBeUndefined();
      await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable/);
      client.release();
      expect(pool.totalCount).toBe(0);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(warnings).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it("TypeORM's pool (as the app configures it): the query fails, and the next one succeeds", async () => {
    const dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      extra: { max: 1, Client: PooledClient },
    });
    await dataSource.initialize();
    try {
      const pool = (dataSource.driver as PostgresDriver).master as Pool;
      const thrown = faultNextHandOut(pool);
      await expect(dataSource.query('SELECT 1')).rejects.toThrow(/not queryable/);
      expect(await thrown).toBeUndefined();
      expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await dataSource.destroy();
    }
  });
});
