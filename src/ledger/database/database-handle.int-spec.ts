import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migratedSeed } from '../../../tests/support/embedded-seed';
import { startEmbedded } from './database-handle';

describe('embedded store', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'attest-embedded-'));
  });

  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps data across restarts and has one owner at a time', async () => {
    const first = await startEmbedded(dataDir);
    const sql = new Client({ connectionString: first.url });
    await sql.connect();
    await sql.query('CREATE TABLE kept (value text)');
    await sql.query(`INSERT INTO kept VALUES ('still here')`);
    await sql.end();
    expect(JSON.parse(await readFile(join(dataDir, 'attest.pid'), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    await expect(startEmbedded(dataDir)).rejects.toThrow(`is in use by process ${process.pid}`);
    await first.close();

    const second = await startEmbedded(dataDir);
    const again = new Client({ connectionString: second.url });
    await again.connect();
    expect((await again.query('SELECT value FROM kept')).rows).toEqual([{ value: 'still here' }]);
    await again.end();
    await second.close();
  });

  it('takes over a lock left by a process that is gone', async () => {
    await writeFile(join(dataDir, 'attest.pid'), '2147483646');
    // The lock is all this is about: the store starts from the suites' copy, not a slow initdb.
    const handle = await startEmbedded(dataDir, { seed: await migratedSeed() });
    expect(JSON.parse(await readFile(join(dataDir, 'attest.pid'), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    await handle.close();
  });

  it('takes over a lock of another container only once its heartbeat is stale', async () => {
    const lockFile = join(dataDir, 'attest.pid');
    // PID 1 of another container: this process's pid means nothing there.
    await writeFile(lockFile, JSON.stringify({ pid: 1, token: 'theirs', hostname: 'elsewhere' }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile, old, old);
    const handle = await startEmbedded(dataDir, { seed: await migratedSeed() });
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: expect.any(String),
    });
    await handle.close();
  });
});
