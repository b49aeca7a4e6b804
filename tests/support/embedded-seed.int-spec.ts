import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import {
  DATABASE_HANDLE,
  DatabaseHandle,
  startEmbedded,
} from '../../src/ledger/database/database-handle';
import { migrate } from '../../src/ledger/database/migrate';
import { migratedSeed } from './embedded-seed';
import { startTestApp } from './test-app';
import { withClient } from './test-database';

const applied = (url: string) =>
  withClient(url, async (sql) =>
    (await sql.query<{ name: string }>('SELECT name FROM migrations ORDER BY id')).rows.map(
      (row) => row.name,
    ),
  );

describe('starting the embedded store from a seed', () => {
  const handles: DatabaseHandle[] = [];
  afterAll(() => Promise.all(handles.map((handle) => handle.close())));

  it('gives the suites one copy holding every migration, which migrate() leaves alone', async () => {
    const seed = await migratedSeed();
    expect(seed).toBeDefined();
    const handle = await startEmbedded('memory://', { seed });
    handles.push(handle);
    expect(await applied(handle.url)).toEqual(migrations.map((migration) => migration.name));
    expect(await migrate(handle.url)).toEqual([]);
  });

  it('starts an app from a seed that lacks the newest migration, which then runs', async () => {
    const older = await startEmbedded('memory://');
    handles.push(older);
    const dataSource = new DataSource({
      type: 'postgres',
      url: older.url,
      migrations: migrations.slice(0, -1),
      migrationsTransactionMode: 'each',
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
    await withClient(older.url, (sql) => sql.query('CREATE TABLE from_the_seed (x int)'));
    const seed = await (older.dumpDataDir as () => Promise<Blob>)();

    const test = await startTestApp({ kind: 'embedded', embeddedStore: { seed } });
    const { url } = test.app.get<DatabaseHandle>(DATABASE_HANDLE);
    try {
      expect(await applied(url)).toEqual(migrations.map((migration) => migration.name));
      const marker = await withClient(url, (sql) =>
        sql.query("SELECT to_regclass('from_the_seed') AS marker"),
      );
      expect(marker.rows).toEqual([{ marker: 'from_the_seed' }]);
      await test.http().get('/api/v1/health/ready').expect(200);
    } finally {
      await test.close();
    }
  });

  it('refuses a seed for a store on disk, which it would overwrite', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'attest-seeded-'));
    try {
      await expect(startEmbedded(dataDir, { seed: new Blob([]) })).rejects.toThrow(
        'a seed for the embedded store applies to memory:// only',
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
