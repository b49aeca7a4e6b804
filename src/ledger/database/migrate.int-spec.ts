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

  it('creates the schema once when replicas start together, announcing each migration as n of N, and is a no-op afterwards', async () => {
    // PGlite has one session, where advisory locks are re-entrant: there, replicas cannot exist.
    const replicas = kind === 'postgres' ? 3 : 1;
    const steps: MigrationStep[] = [];
    const applied = await Promise.all(
      Array.from({ length: replicas }, () => migrate(database.url, (step) => steps.push(step))),
    );
    const names = applied.flat();
    expect(names).toEqual(migrations.map((migration) => migration.name));
    // One replica applied them all and announced each; the others found nothing pending.
    const total = migrations.length;
    expect(steps).toEqual(
      migrations.map((migration, i) => ({ index: i + 1, total, name: migration.name })),
    );
    const again: MigrationStep[] = [];
    expect(await migrate(database.url, (step) => again.push(step))).toEqual([]);
    expect(again).toEqual([]);

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
});
