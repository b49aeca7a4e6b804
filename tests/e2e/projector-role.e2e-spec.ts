/**
 * The projector role (README, "Projector role") with real processes on real PostgreSQL: two
 * projector processes and an API process on one database. Each projection is held by exactly one
 * projector; the holder is killed with SIGKILL while it is inside a page (frozen with SIGSTOP and
 * seen in pg_stat_activity with a write transaction open), the standby takes every projection
 * over, and the read models end exactly right: no event skipped, none applied twice. The API
 * process answers writes and reads its own writes while projections run in the other processes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createApp } from '../../src/app-setup';
import { DevIssuer } from '../../src/auth/dev-issuer';
import { DEV_ISSUER, loadConfig } from '../../src/config/app-config';
import type { LedgerPosition, NewEvent } from '../../src/ledger/event-log.port';
import { PROJECTION_LEASE_NAMESPACE, leaseKey } from '../../src/ledger/projections/postgres-leases';
import { streams } from '../../src/ledger/stream-names';
import { predictionBatchEvent } from '../bench/bench-support';
import { HttpClient, freePort } from '../chaos/service';
import { startTestApp, type TestApp } from '../support/test-app';
import { type TestDatabase, createTestDatabase } from '../support/test-database';
import { builtEntry } from '../support/test-build';

const ROOT = join(__dirname, '../..');

/** Polls `check` until it answers a value, or fails naming `what` once `ms` have passed. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** `work`, or a failure naming `what` once `ms` have passed without it settling. */
async function within<T>(what: string, work: Promise<T>, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The service as its own process, from the sources (no build needed), in one role. */
class RoleProcess {
  readonly child: ChildProcess;
  readonly http: HttpClient;
  stderr = '';

  constructor(
    readonly name: string,
    port: number,
    env: Record<string, string>,
  ) {
    this.http = new HttpClient(port, 4);
    this.child = spawn(
      process.execPath,
      // The sources compiled once for the suites (tests/support/test-build.ts).
      [builtEntry('src/main.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          RATE_LIMIT_PER_MINUTE: '0',
          RATE_LIMIT_SCORING_PER_MINUTE: '0',
          SERVING_WORKERS: '1',
          EVALUATION_WORKERS: '1',
          // Nothing appended on its own: the ledger holds what the test wrote.
          CHECKPOINT_EVERY_EVENTS: '0',
          CHECKPOINT_INTERVAL_MS: '0',
          SEAL_INTERVAL_MS: '0',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // Its log lines (warnings and errors), for the message of a failure.
    for (const stream of [this.child.stdout, this.child.stderr])
      stream?.on('data', (chunk: Buffer) => {
        this.stderr = (this.stderr + chunk.toString()).slice(-8000);
      });
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Three processes starting at once on a busy machine: allow minutes, at worst. */
  async ready(timeoutMs = 420_000): Promise<void> {
    let last = 'no answer';
    await until(
      `${this.name} ready`,
      async () => {
        if (this.exited)
          throw new Error(`${this.name} exited before it was ready:\n${this.stderr}`);
        const answer = await this.http
          .call('GET', '/api/v1/health/ready', { timeoutMs: 2000 })
          .catch(() => undefined);
        if (answer) last = `${answer.status} ${JSON.stringify(answer.body)}`;
        if (answer?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
        return answer?.status === 200;
      },
      timeoutMs,
    ).catch((error: Error) => {
      throw new Error(`${error.message} (last answer: ${last}):\n${this.stderr}`);
    });
  }

  /** attest_projection_held from its /metrics: the projections it runs. */
  async held(): Promise<string[]> {
    const answer = await this.http.call('GET', '/metrics', {});
    return [...String(answer.body).matchAll(/^attest_projection_held\{projection="([^"]+)"\} 1$/gm)]
      .map((match) => match[1])
      .sort();
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(signal);
  }

  async exit(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

/** A regulator's read, as the access log records it. */
function regulatorAccessed(i: number): NewEvent {
  const id = uuidv7();
  const at = new Date(Date.parse('2026-02-01T00:00:00Z') + i * 1000).toISOString();
  return {
    id,
    type: 'RegulatorAccessed',
    data: {
      sub: 'rita',
      roles: ['regulator'],
      method: 'GET',
      url: `/api/v1/models/model-${i % 5}`,
      status: 200,
      accessedAt: at,
    },
    metadata: {
      schemaVersion: 1,
      occurredAt: at,
      actor: { sub: 'rita', roles: ['regulator'] },
      correlationId: id,
      causationId: id,
    },
  };
}

describe('ATTEST_ROLE checks at start', () => {
  it('refuses a projector on the embedded store, naming ATTEST_ROLE', async () => {
    await expect(
      createApp({ env: { ATTEST_ROLE: 'projector', DATABASE_URL: '', DATA_DIR: 'memory://' } }),
    ).rejects.toThrow(/^ATTEST_ROLE=projector needs DATABASE_URL/);
  });
});

// PostgreSQL only: on the embedded store one process holds the data dir and runs every projection.
if (process.env.DATABASE_URL) {
  describe('projector processes and an API process on one PostgreSQL database', () => {
    jest.setTimeout(900_000);
    let database: TestDatabase;
    let dataDir: string;
    let seeder: TestApp;
    let sql: Client;
    const processes: RoleProcess[] = [];
    let admin: string;
    let pipeline: string;
    let projectionNames: string[];

    const urlFor = (name: string) => {
      const url = new URL(database.url);
      url.searchParams.set('application_name', name);
      return url.toString();
    };
    const start = async (name: string, role: string) => {
      const started = new RoleProcess(name, await freePort(), {
        ATTEST_ROLE: role,
        DATABASE_URL: urlFor(name),
        // Shared: the dev issuer's keys and the subject pepper are every replica's.
        DATA_DIR: dataDir,
        // A loaded test machine may take a while to apply a write; the read waits, never 503s.
        READ_WAIT_TIMEOUT_MS: '30000',
      });
      processes.push(started);
      return started;
    };
    /** Every projection lease held now: projection → application_name of its holder(s). */
    const leaseHolders = async (): Promise<Map<string, string[]>> => {
      const byKey = new Map(projectionNames.map((name) => [leaseKey(name), name]));
      const { rows } = await sql.query<{ key: number; holder: string }>(
        `SELECT l.objid::int4 AS key, a.application_name AS holder
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.classid = $1::int4::oid AND l.objsubid = 2
            AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [PROJECTION_LEASE_NAMESPACE],
      );
      const holders = new Map<string, string[]>();
      for (const row of rows) {
        const name = byKey.get(row.key) ?? `key ${row.key}`;
        holders.set(name, [...(holders.get(name) ?? []), row.holder]);
      }
      return holders;
    };
    /** Appends `count` events: prediction batches (a stream each) and regulators' reads. */
    const seed = async (count: number, offset: number): Promise<LedgerPosition> => {
      let next = 0;
      let last: LedgerPosition | undefined;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = next++; i < count; i = next++) {
            const n = offset + i;
            const batchId = uuidv7();
            const [stream, event, expectedRevision] =
              n % 10 === 9
                ? [streams.accessLog('rita'), regulatorAccessed(n), 'any' as const]
                : [
                    streams.predictionBatch(batchId),
                    predictionBatchEvent({
                      batchId,
                      deploymentId: `model-${n % 5}.production`,
                      model: `model-${n % 5}`,
                      version: '1.0.0',
                      environment: 'production',
                      from: new Date(Date.parse('2026-01-06T00:00:00Z') + n * 600_000),
                    }),
                    'no_stream' as const,
                  ];
            const { position } = await seeder.eventLog.append(stream, [event], {
              expectedRevision,
            });
            if (!last || seeder.eventLog.comparePositions(position, last) > 0) last = position;
          }
        }),
      );
      return last as LedgerPosition;
    };
    const count = async (query: string): Promise<number> =>
      Number((await sql.query<{ n: string }>(query)).rows[0].n);

    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      dataDir = await mkdtemp(join(tmpdir(), 'attest-roles-'));
      // The ledger is written straight through the store's append path by an app that runs no
      // projection (it migrates the database first, so the processes find it ready).
      seeder = await startTestApp({ database, startProjections: false });
      projectionNames = seeder.runner
        .projections()
        .map((p) => p.name)
        .sort();
      sql = new Client({ connectionString: database.url });
      await sql.connect();
      const issuer = await DevIssuer.open(dataDir, DEV_ISSUER, loadConfig({}).auth.audience);
      admin = await issuer.sign({ sub: 'roles-auditor', roles: ['admin'] }, '2h');
      pipeline = await issuer.sign({ sub: 'roles-pipeline', roles: ['pipeline'] }, '2h');
    });

    afterAll(async () => {
      await Promise.all(processes.map((p) => p.exit('SIGKILL')));
      for (const p of processes) p.http.close();
      await sql?.end();
      await seeder?.close();
      await database?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('runs each projection in one projector, hands them over on kill -9 mid-page, and the API reads its own writes', async () => {
      // Started together: each projection goes to whichever projector asks first.
      const projectors = [
        await start('projector-a', 'projector'),
        await start('projector-b', 'projector'),
      ];
      const api = await start('api-a', 'api');
      await Promise.all([...projectors, api].map((p) => p.ready()));

      // (a) Exactly one holder per projection, and each process knows which it runs.
      const holders = await leaseHolders();
      expect([...holders.keys()].sort()).toEqual(projectionNames);
      for (const name of projectionNames) {
        expect(holders.get(name)).toHaveLength(1);
        expect(['projector-a', 'projector-b']).toContain(holders.get(name)?.[0]);
      }
      const heldBy = async (p: RoleProcess) =>
        projectionNames.filter((name) => holders.get(name)?.[0] === p.name);
      for (const p of projectors) expect(await p.held()).toEqual(await heldBy(p));
      expect(await api.held()).toEqual([]);
      // A projector serves its probes and metrics, nothing of the API.
      const refused = await projectors[1].http.call('GET', '/api/v1/models', { token: admin });
      expect(refused.status).toBe(404);
      expect((refused.body as { detail: string }).detail).toMatch(/ATTEST_ROLE=projector/);

      // (c) The API process writes, and reads its write once a projector has applied it.
      const write = await api.http.call('POST', '/api/v1/datasets/roles-ds/versions', {
        token: pipeline,
        body: {
          version: 'v1',
          contentHash: `sha256:${randomBytes(32).toString('hex')}`,
          rows: 10,
          schema: [{ name: 'term_months', type: 'number', personal: false, sensitive: false }],
          location: 's3://roles/v1.parquet',
          region: 'ap-southeast-2',
        },
      });
      expect(write.status).toBe(201);
      const { ledgerPosition } = write.body as { ledgerPosition: string };
      const read = await api.http.call('GET', '/api/v1/datasets/roles-ds/versions/v1', {
        token: admin,
        headers: { 'X-Ledger-Position': ledgerPosition },
      });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ name: 'roles-ds', version: 'v1', rows: 10 });

      // (b) Thousands of events while the projectors apply them; one is frozen inside a page
      // (a write transaction open in pg_stat_activity), then killed.
      const seeding = seed(4000, 0);
      const inPage = async (p: RoleProcess) =>
        (await count(
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE application_name = '${p.name}' AND backend_xid IS NOT NULL
              AND datname = current_database()`,
        )) > 0;
      const victim = await until(
        'a projector seen inside a page',
        async () => {
          for (const p of projectors) {
            if (!(await inPage(p))) continue;
            p.signal('SIGSTOP');
            // Frozen: the transaction it has open stays open until the process dies.
            if (await inPage(p)) return p;
            p.signal('SIGCONT');
          }
          return undefined;
        },
        120_000,
      );
      const survivor = projectors.find((p) => p !== victim) as RoleProcess;
      // While the victim is inside its page, its projections are its own: the survivor holds
      // none of them.
      const victims = (await leaseHolders()).entries();
      const survivorHolds = await survivor.held();
      for (const [name, [holder]] of victims)
        if (holder === victim.name) expect(survivorHolds).not.toContain(name);
      const killedAt = Date.now();
      await victim.exit('SIGKILL');
      await until(`${survivor.name} holds every projection`, async () => {
        const now = await leaseHolders();
        return projectionNames.every((name) => now.get(name)?.join() === survivor.name);
      });
      const takeoverMs = Date.now() - killedAt;
      const head = await seeding;
      const more = await seed(1000, 4000);
      const last = seeder.eventLog.comparePositions(more, head) > 0 ? more : head;
      await until(
        'every projection at the ledger head',
        async () => {
          const { rows } = await sql.query<{ position: string | null }>(
            'SELECT position FROM projection_checkpoints WHERE projection = ANY($1::text[])',
            [projectionNames],
          );
          return (
            rows.length === projectionNames.length &&
            rows.every(
              (row) =>
                row.position !== null && seeder.eventLog.comparePositions(row.position, last) >= 0,
            )
          );
        },
        180_000,
      );
      expect(await survivor.held()).toEqual(projectionNames);

      // Exactly right: no event skipped, none applied twice.
      const events = await count('SELECT count(*) AS n FROM ledger_events');
      expect(events).toBeGreaterThanOrEqual(5000 + 1);
      const mismatched = await sql.query(
        `SELECT e.stream, e.n, s.event_count FROM
           (SELECT stream, count(*) AS n FROM ledger_events GROUP BY stream) e
           FULL JOIN stream_index s ON s.stream = e.stream
          WHERE s.event_count IS DISTINCT FROM e.n`,
      );
      expect(mismatched.rows).toEqual([]);
      // One leaf per event, leaf indices 0 … events − 1 without a gap.
      const leaves = await sql.query<{ n: string; events: string; first: string; last: string }>(
        `SELECT count(*) AS n, count(DISTINCT event_id) AS events, min(leaf_index) AS first,
                max(leaf_index) AS last FROM integrity_leaves`,
      );
      expect(leaves.rows[0]).toEqual({
        n: String(events),
        events: String(events),
        first: '0',
        last: String(events - 1),
      });
      expect(await count('SELECT count(*) AS n FROM prediction_batches')).toBe(
        await count(
          `SELECT count(*) AS n FROM ledger_events WHERE type = 'PredictionBatchRecorded'`,
        ),
      );
      expect(await count('SELECT count(*) AS n FROM access_log')).toBe(
        await count(`SELECT count(*) AS n FROM ledger_events WHERE type = 'RegulatorAccessed'`),
      );
      expect(await count('SELECT count(*) AS n FROM projection_faults')).toBe(0);

      // The API still reads its own writes, now from the survivor's read models.
      const again = await api.http.call('POST', '/api/v1/datasets/roles-ds/versions', {
        token: pipeline,
        body: {
          version: 'v2',
          contentHash: `sha256:${randomBytes(32).toString('hex')}`,
          rows: 20,
          schema: [{ name: 'term_months', type: 'number', personal: false, sensitive: false }],
          location: 's3://roles/v2.parquet',
          region: 'ap-southeast-2',
        },
      });
      expect(again.status).toBe(201);
      const readAgain = await api.http.call('GET', '/api/v1/datasets/roles-ds/versions/v2', {
        token: admin,
        headers: { 'X-Ledger-Position': (again.body as { ledgerPosition: string }).ledgerPosition },
      });
      expect(readAgain.status).toBe(200);

      // SIGTERM: the projector shuts down on its own and gives its leases back.
      await survivor.exit('SIGTERM');
      expect([0, null]).toContain(survivor.child.exitCode);
      expect(survivor.child.signalCode === null || survivor.child.signalCode === 'SIGTERM').toBe(
        true,
      );
      await until('no projection held', async () => (await leaseHolders()).size === 0);
      process.stdout.write(`projector takeover after kill -9: ${takeoverMs} ms\n`);
    });
  });

  describe('the fence: a runner whose lease session is terminated', () => {
    let test: TestApp;
    let sql: Client;
    let other: Client | undefined;

    beforeAll(async () => {
      test = await startTestApp({ kind: 'postgres' });
      sql = new Client({ connectionString: test.database!.url });
      await sql.connect();
    });
    afterAll(async () => {
      await other?.end().catch(() => undefined);
      await sql?.end();
      await test?.close();
    });

    const readModels = async () => ({
      checkpoints: (
        await sql.query<{ projection: string; position: string | null }>(
          'SELECT projection, position FROM projection_checkpoints ORDER BY projection',
        )
      ).rows,
      streamIndex: (await sql.query('SELECT stream, event_count FROM stream_index ORDER BY stream'))
        .rows,
      leaves: (await sql.query('SELECT count(*) AS n FROM integrity_leaves')).rows[0],
      accessLog: (await sql.query('SELECT count(*) AS n FROM access_log')).rows[0],
    });
    const append = async (i: number) =>
      (
        await test.eventLog.append(streams.accessLog('rita'), [regulatorAccessed(i)], {
          expectedRevision: 'any',
        })
      ).position;

    it('commits no page once its leases went to another session, then takes them back', async () => {
      const names = test.runner.projections().map((p) => p.name);
      const first = await append(0);
      // Idle: every checkpoint written up to that event, no page under way.
      await until('every checkpoint at the first event', async () => {
        const { checkpoints } = await readModels();
        return (
          checkpoints.length === names.length &&
          checkpoints.every(
            (row) =>
              row.position !== null && test.eventLog.comparePositions(row.position, first) >= 0,
          )
        );
      });
      const {
        rows: [lease],
      } = await sql.query<{ pid: number }>(
        `SELECT DISTINCT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int4::oid
           AND objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [PROJECTION_LEASE_NAMESPACE],
      );
      // Another session queues for every lease: it gets them the moment the holder's session ends.
      other = new Client({ connectionString: test.database!.url });
      await other.connect();
      const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
        .rows[0].pid;
      const taking = other.query(
        'SELECT pg_advisory_lock($1::int4, key) FROM unnest($2::int4[]) AS key',
        [PROJECTION_LEASE_NAMESPACE, names.map(leaseKey)],
      );
      await until(
        'the other session waits for a lease',
        async () =>
          (await sql.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [otherPid]))
            .rows.length > 0,
      );
      await sql.query('SELECT pg_terminate_backend($1)', [lease.pid]);
      await within('the other session takes every lease', taking);
      const before = await readModels();

      // New events: every page the runner tries now fails its fence, so nothing moves.
      let i = 1;
      await until('every projection stopped by its fence', async () => {
        await append(i++);
        return test.runner.status().every((status) => status.state === 'standby');
      });
      expect(await readModels()).toEqual(before);

      // The leases come back: the runner takes them again and applies what it had not.
      await other.end();
      other = undefined;
      const total = i + 1;
      await append(i);
      await until('the events applied once the leases came back', async () => {
        // Each projection takes its lease back on its own: wait for both read models.
        const { accessLog, leaves } = await readModels();
        return Number(accessLog.n) === total && Number(leaves.n) === total;
      });
      const after = await readModels();
      expect(Number(before.leaves.n)).toBe(1);
      expect(Number(after.leaves.n)).toBe(total);
    });
  });
}
