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
    // The suites' copy with its newest migration undone: what a seed made before it looks like
    // (quicker than running every other migration on a fresh store).
    const older = await startEmbedded('memory://', { seed: await migratedSeed() });
    handles.push(older);
    const dataSource = new DataSource({
      type: 'postgres',
      url: older.url,
      migrations,
      migrationsTransactionMode: 'each',
    });
    await dataSource.initialize();
    await dataSource.undoLastMigration();
    await dataSource.destroy();
    expect(await applied(older.url)).toEqual(migrations.slice(0, -1).map((m) => m.name));
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

  it('seeds a new store on disk, and opens an existing one as it is', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'attest-seeded-'));
    try {
      const seed = await migratedSeed();
      const created = await startEmbedded(dataDir, { seed });
      await withClient(created.url, (sql) => sql.query('CREATE TABLE kept (x int)'));
      expect(await migrate(created.url)).toEqual([]);
      await created.close();

      const reopened = await startEmbedded(dataDir, { seed });
      try {
        const kept = await withClient(reopened.url, (sql) =>
          sql.query("SELECT to_regclass('kept') AS kept"),
        );
        expect(kept.rows).toEqual([{ kept: 'kept' }]);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
