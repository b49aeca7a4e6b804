import { DataSource } from 'typeorm';
import { migrations } from '../../../migrations';

/** Applies every pending migration to the database at `url` (what the service does at start). */
export async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTransactionMode: 'each',
  });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}
