import { Writable } from 'node:stream';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { TestApp, startTestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { classifyDatabaseError } from '../../src/ledger/database/database-errors';
import {
  INSTANCE_LOCK_NAMESPACE,
  IdempotencyOwner,
} from '../../src/ledger/commands/idempotency-owner';
import { PooledClient } from '../../src/ledger/database/pooled-client';

/** Waits until `check` holds, polling; fails with `what` after the deadline. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('database errors that mean "unavailable"', () => {
  it.each([
    ['55000', 'database "x" is not currently accepting connections'],
    ['3D000', 'database "x" does not exist'],
    ['08006', 'connection failure'],
    ['08P01', 'protocol violation'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['53300', 'sorry, too many clients already'],
    ['57014', 'canceling statement due to statement timeout'],
  ])('%s is unavailable', (code, message) => {
    expect(classifyDatabaseError(Object.assign(new Error(message), { code }))).toBe('unavailable');
    expect(
      classifyDatabaseError({ message, driverError: Object.assign(new Error(message), { code }) }),
    ).toBe('unavailable');
  });

  it.each([
    'Connection terminated unexpectedly',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
  ])('"%s" is unavailable', (message) => {
    expect(classifyDatabaseError(new Error(message))).toBe('unavailable');
  });

  it('is not a constraint violation or an unknown error', () => {
    expect(classifyDatabaseError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(
      undefined,
    );
    expect(classifyDatabaseError(new Error('boom'))).toBe(undefined);
  });
});

// Needs a server whose database can be closed to connections under the running app.
if (process.env.DATABASE_URL) {
  describe('a database outage under a running app (PostgreSQL)', () => {
    let database: TestDatabase;
    let test: TestApp;
    let admin: Client;
    let name: string;
    const lines: Record<string, unknown>[] = [];

    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      name = new URL(database.url).pathname.slice(1);
      const logStream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean))
            lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      });
      test = await startTestApp({ database, env: { LOG_LEVEL: 'info' }, logStream });
      admin = new Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
    });

    afterAll(async () => {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await test.close();
      await database.close();
    });

    // A test that failed half-way must not leave the database closed for the next one.
    beforeEach(() => admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));

    it('pools connections that always hear a lost session (src/ledger/database/pooled-client.ts)', () => {
      const pool = (test.app.get(DataSource).driver as PostgresDriver).master as Pool & {
        Client: unknown;
      };
      expect(pool.Client).toBe(PooledClient);
    });

    const terminateBackends = () =>
      admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );

    it('answers 503 with Retry-After while the database refuses connections, logs it once, and recovers without a restart', async () => {
      const officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
      await test.http().get('/api/v1/ledger/events?limit=1').expect(200);
      const logged = lines.length;

      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await terminateBackends();
      const answers = await Promise.all([
        ...Array.from({ length: 20 }, () => test.http().get('/api/v1/ledger/events?limit=1')),
        ...Array.from({ length: 10 }, () => test.http().get('/api/v1/models')),
        ...Array.from({ length: 10 }, () =>
          test.anonymous().post('/api/v1/ledger/checkpoints').set('Authorization', officer),
        ),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.headers['retry-after']).toMatch(/^\d+$/);
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.body).toMatchObject({ status: 503, code: 'ledger-unavailable' });
        expect(JSON.stringify(answer.body)).not.toContain(name);
      }
      const ready = await test.anonymous().get('/api/v1/health/ready');
      expect(ready.status).toBe(503);
      // A regulator's request, which must be recorded before it is answered, is refused alike.
      const regulator = `Bearer ${await test.token('rita', ['regulator'])}`;
      for (let i = 0; i < 5; i++) {
        const answer = await test.anonymous().get('/api/v1/models').set('Authorization', regulator);
        expect(answer.status).toBe(503);
        expect(answer.headers['retry-after']).toMatch(/^\d+$/);
      }

      const during = lines.slice(logged);
      expect(during.filter((line) => String(line.msg).includes('unhandled error'))).toEqual([]);
      const outage = during.filter((line) => String(line.msg).startsWith('database unavailable'));
      expect(outage).toHaveLength(1);
      expect(outage[0].msg).toMatch(/not currently accepting connections|terminating connection/);
      // No other warning or error: connections, subscriptions and LISTEN fail quietly meanwhile
      // (a failed readiness probe is logged by the health check, once per probe).
      const noisy = during.filter(
        (line) =>
          Number(line.level) >= 40 &&
          !String(line.msg).startsWith('database unavailable') &&
          !String(line.msg).startsWith('Health Check has failed'),
      );
      expect(noisy.map((line) => line.msg)).toEqual([]);

      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await eventually(
        'reads answer again',
        async () => (await test.http().get('/api/v1/ledger/events?limit=1')).status === 200,
      );
      await eventually('the recovery is logged', async () =>
        lines.some((line) => String(line.msg).startsWith('database available again')),
      );
      expect(
        lines.filter((line) => String(line.msg).startsWith('database unavailable')),
      ).toHaveLength(1);
      await test
        .anonymous()
        .post('/api/v1/ledger/checkpoints')
        .set('Authorization', officer)
        .expect((answer) => expect(answer.status).toBeLessThan(300));
      await eventually(
        'the service is ready again',
        async () => (await test.anonymous().get('/api/v1/health/ready')).status === 200,
      );
      // The instance lock that shows this process owns its Idempotency-Key claims is back too.
      const owner = test.app.get(IdempotencyOwner);
      await eventually(
        'the instance lock is held again',
        async () =>
          (
            await admin.query(
              `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int::oid
                 AND objid = $2::int::oid AND objsubid = 2 AND granted`,
              [INSTANCE_LOCK_NAMESPACE, owner.id],
            )
          ).rowCount === 1,
      );
    });

    it('never answers 500 when every connection is terminated under load', async () => {
      const statuses = new Set<number>();
      const load = Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          if (i === 10) await terminateBackends();
          statuses.add((await test.http().get('/api/v1/ledger/events?limit=1')).status);
        }),
      );
      await load;
      expect([...statuses].filter((status) => status !== 200 && status !== 503)).toEqual([]);
      await eventually(
        'reads answer again',
        async () => (await test.http().get('/api/v1/ledger/events?limit=1')).status === 200,
      );
    });
  });
}
