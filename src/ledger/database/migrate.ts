import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../../migrations';

/** Any constant will do; it only has to be the same in every replica. */
const MIGRATION_LOCK = 0x41545354; // "ATST"

/**
 * Applies every pending migration to the database at `url`. Replicas starting together queue on
 * a PostgreSQL advisory lock, so exactly one of them migrates and the others find nothing to do.
 */
export async function migrate(url: string): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  lock.on('error', () => undefined); // a lost connection fails the query that needed it
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const dataSource = new DataSource({
      type: 'postgres',
      url,
      migrations,
      migrationsTransactionMode: 'each',
    });
    await dataSource.initialize();
    try {
      return (await dataSource.runMigrations()).map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}
