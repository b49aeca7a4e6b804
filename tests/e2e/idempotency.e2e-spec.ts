import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { TestApp, startTestApp } from '../support/test-app';
import { canonicalJson } from '../../src/ledger/canonical-json';
import { derivedUuid } from '../../src/ledger/commands/command-context';
import {
  IdempotencyInterceptor,
  idempotencyKeyDigest,
} from '../../src/ledger/commands/idempotency.interceptor';
import {
  INSTANCE_LOCK_NAMESPACE,
  IdempotencyOwner,
} from '../../src/ledger/commands/idempotency-owner';
import { DATABASE_HANDLE, DatabaseHandle } from '../../src/ledger/database/database-handle';

const PEPPER = 'idempotency-test-pepper-0123456789abcdef';
const URL_PATH = '/api/v1/datasets/loans/versions';
const body = (version: string) => ({
  version,
  contentHash: `sha256:${'cd'.repeat(32)}`,
  rows: 10,
  schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
  location: 's3://lake/loans.parquet',
  region: 'ap-southeast-2',
});

/** Waits until `check` holds, polling; fails with `what` after the deadline. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Idempotency-Key', () => {
  let test: TestApp;
  let pipeline: string;
  let sql: Client;
  const lines: string[] = [];

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    test = await startTestApp({ env: { LOG_LEVEL: 'info', PRIVACY_PEPPER: PEPPER }, logStream });
    pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
    sql = new Client({ connectionString: test.app.get<DatabaseHandle>(DATABASE_HANDLE).url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql.end();
    await test.close();
  });

  const post = (key: string, payload: object) =>
    test
      .anonymous()
      .post(URL_PATH)
      .set('Authorization', pipeline)
      .set('Idempotency-Key', key)
      .send(payload);

  it('is stored, logged and turned into event ids only as a keyed digest, and never echoed', async () => {
    const key = 'customer-4711-refinance';
    const digest = idempotencyKeyDigest(PEPPER, key);
    const first = await post(key, body('2026-01')).expect(201);
    const replay = await post(key, body('2026-01')).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const reused = await post(key, body('2026-02')).expect(422);
    expect(reused.body.code).toBe('idempotency-key-reused');
    expect(JSON.stringify(reused.body)).not.toContain(key);

    const { rows } = await sql.query<{ key: string }>('SELECT key FROM idempotency_keys');
    expect(rows).toEqual([{ key: digest }]);
    const [event] = await test.eventLog.readStream('dataset-loans');
    expect(event.id).toBe(derivedUuid('event', 'ci-pipeline', digest, 'dataset-loans', '0'));
    expect(lines.join('\n')).not.toContain(key);
    expect(lines.some((line) => line.includes(`hmac-sha256:${digest}`))).toBe(true);
  });

  it('answers 409 while the claim belongs to a live request of this process', async () => {
    const key = 'in-flight-here';
    const owner = test.app.get(IdempotencyOwner);
    await insertClaim(sql, key, body('2026-03'), owner.id);
    const answer = await post(key, body('2026-03')).expect(409);
    expect(answer.body.code).toBe('idempotency-key-in-flight');
    expect(answer.headers['retry-after']).toBe('1');
    expect(JSON.stringify(answer.body)).not.toContain(key);
    await sql.query('DELETE FROM idempotency_keys WHERE owner = $1', [owner.id]);
  });

  // Several processes share a server only on PostgreSQL; on the embedded store every owner but
  // this process is gone by construction (one process per data dir).
  if (process.env.DATABASE_URL) {
    it('lets a retry through within seconds once the owning process is killed with SIGKILL', async () => {
      const key = 'crashed-mid-request';
      const deadOwner = 424242;
      const url = test.app.get<DatabaseHandle>(DATABASE_HANDLE).url;
      // A real process holding the instance lock an Attest process holds, and its claim.
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const { Client } = require('pg');
           const c = new Client({ connectionString: process.argv[1] });
           c.connect()
             .then(() => c.query('SELECT pg_advisory_lock($1, $2)', [${INSTANCE_LOCK_NAMESPACE}, ${deadOwner}]))
             .then(() => process.stdout.write('locked\\n'));
           setInterval(() => {}, 1000);`,
          url,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('locked')) resolve();
        });
        holder.once('exit', () => reject(new Error('lock holder exited')));
      });
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      try {
        await insertClaim(sql, key, body('2026-04'), deadOwner);
        // Its owner is alive: the claim stands.
        await post(key, body('2026-04')).expect(409);
      } finally {
        holder.kill('SIGKILL');
      }
      await exited;
      const started = Date.now();
      let status = 0;
      await eventually('the retry succeeds', async () => {
        status = (await post(key, body('2026-04'))).status;
        return status !== 409;
      });
      expect(status).toBe(201);
      expect(Date.now() - started).toBeLessThan(10_000);
      const { rows } = await sql.query('SELECT state, owner FROM idempotency_keys WHERE key = $1', [
        idempotencyKeyDigest(PEPPER, key),
      ]);
      expect(rows).toEqual([{ state: 'done', owner: test.app.get(IdempotencyOwner).id }]);
    });
  }

  it('releases, at start, pending claims whose owner is gone, and keeps live and finished ones', async () => {
    const owner = test.app.get(IdempotencyOwner);
    await insertClaim(sql, 'left-by-a-dead-process', body('2026-05'), 1_234_567);
    await insertClaim(sql, 'mine', body('2026-06'), owner.id);
    expect(await owner.releaseDeadClaims()).toBe(1);
    const { rows } = await sql.query<{ key: string }>(
      "SELECT key FROM idempotency_keys WHERE state = 'pending'",
    );
    expect(rows).toEqual([{ key: idempotencyKeyDigest(PEPPER, 'mine') }]);
    await post('left-by-a-dead-process', body('2026-05')).expect(201);
  });

  it('marks the rows it inserts digested', async () => {
    await post('marked-digested', body('2026-09')).expect(201);
    const { rows } = await sql.query('SELECT key_digested FROM idempotency_keys WHERE key = $1', [
      idempotencyKeyDigest(PEPPER, 'marked-digested'),
    ]);
    expect(rows).toEqual([{ key_digested: true }]);
  });

  /**
   * A row as an older release, still running after migration 1764200000019, stores it (the raw
   * key, with an INSERT that does not know the key_digested column); then the start-up pass.
   */
  async function storeAsOlderRelease(
    key: string,
    stored: { scope: string; request_hash: string; response: unknown },
  ): Promise<void> {
    await sql.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, response)
       VALUES ($1, $2, $3, 'done', $4)`,
      [stored.scope, key, stored.request_hash, stored.response],
    );
    await test.app.get(IdempotencyInterceptor).onModuleInit();
    const { rows } = await sql.query('SELECT key FROM idempotency_keys WHERE NOT key_digested');
    expect(rows).toEqual([]);
  }

  it('digests keys an older release stored raw, so their retries still replay', async () => {
    const key = 'stored-before-digests';
    const first = await post(key, body('2026-07')).expect(201);
    const digest = idempotencyKeyDigest(PEPPER, key);
    const [stored] = (
      await sql.query(
        'DELETE FROM idempotency_keys WHERE key = $1 RETURNING scope, request_hash, response',
        [digest],
      )
    ).rows;
    await storeAsOlderRelease(key, stored);
    const { rowCount } = await sql.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key]);
    expect(rowCount).toBe(0);
    const replay = await post(key, body('2026-07')).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
  });

  it('keeps the digested claim when an older release stored the same key raw beside it', async () => {
    const key = 'served-by-both-releases';
    await post(key, body('2026-08')).expect(201);
    const [stored] = (
      await sql.query('SELECT scope, request_hash, response FROM idempotency_keys WHERE key = $1', [
        idempotencyKeyDigest(PEPPER, key),
      ])
    ).rows;
    await storeAsOlderRelease(key, stored);
    const replay = await post(key, body('2026-08')).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });
});

/** A pending claim as the interceptor stores it, for the caller ci-pipeline. */
async function insertClaim(sql: Client, key: string, payload: object, owner: number) {
  const requestHash = createHmac('sha256', Buffer.from(PEPPER, 'utf8'))
    .update(canonicalJson({ method: 'POST', url: URL_PATH, body: payload }))
    .digest('hex');
  await sql.query(
    `INSERT INTO idempotency_keys (scope, key, request_hash, state, owner, key_digested)
     VALUES ('ci-pipeline', $1, $2, 'pending', $3, true)`,
    [idempotencyKeyDigest(PEPPER, key), requestHash, owner],
  );
}
