import { Client } from 'pg';
import { TestDatabase, createTestDatabase, storeKinds } from '../../../tests/support/test-database';
import { migrations } from '../../../migrations';
import { MigrationStep, migrate } from './migrate';

describe.each(storeKinds())('migrate (%s)', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });

  afterAll(() => database?.close());

  it('creates the schema once when replicas start together, and is a no-op afterwards', async () => {
    // PGlite has one session, where advisory locks are re-entrant: there, replicas cannot exist.
    const replicas = kind === 'postgres' ? 3 : 1;
    const applied = await Promise.all(
      Array.from({ length: replicas }, () => migrate(database.url)),
    );
    const names = applied.flat();
    expect(names).toEqual(migrations.map((migration) => migration.name));
    expect(await migrate(database.url)).toEqual([]);

    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      const { rows } = await sql.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      expect(rows.map((row) => row.table_name)).toEqual(
        expect.arrayContaining([
          'idempotency_keys',
          'ledger_events',
          'migrations',
          'projection_checkpoints',
          'stream_index',
        ]),
      );
    } finally {
      await sql.end();
    }
  });

  it('announces each pending migration as n of N, and nothing once the schema is current', async () => {
    const fresh = await createTestDatabase(kind);
    try {
      const steps: MigrationStep[] = [];
      const applied = await migrate(fresh.url, (step) => steps.push(step));
      const total = migrations.length;
      expect(steps).toEqual(
        migrations.map((migration, i) => ({ index: i + 1, total, name: migration.name })),
      );
      expect(applied).toEqual(steps.map((step) => step.name));
      const again: MigrationStep[] = [];
      expect(await migrate(fresh.url, (step) => again.push(step))).toEqual([]);
      expect(again).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
