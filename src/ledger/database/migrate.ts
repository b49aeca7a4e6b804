import { Client } from 'pg';
import { DataSource, MigrationExecutor, MigrationInterface, QueryRunner } from 'typeorm';
import { migrations } from '../../../migrations';
import { PooledClient } from './pooled-client';

/** Any constant will do; it only has to be the same in every replica. */
const MIGRATION_LOCK = 0x41545354; // "ATST"

/** One pending migration about to run: the `index`-th (from 1) of `total`. */
export interface MigrationStep {
  index: number;
  total: number;
  name: string;
}

type MigrationClass = new () => MigrationInterface;

/**
 * Applies every pending migration to the database at `url`. Replicas starting together queue on
 * a PostgreSQL advisory lock, so exactly one of them migrates and the others find nothing to do.
 * `onStep` hears of each pending migration as it starts (start-up progress).
 */
export async function migrate(
  url: string,
  onStep?: (step: MigrationStep) => void,
): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  lock.on('error', () => undefined); // a lost connection fails the query that needed it
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const step = { index: 0, total: 0 };
    const dataSource = new DataSource({
      type: 'postgres',
      url,
      migrations: onStep
        ? (migrations as MigrationClass[]).map((migration) =>
            announced(migration, (name) => onStep({ ...step, index: ++step.index, name })),
          )
        : migrations,
      migrationsTransactionMode: 'each',
      extra: { Client: PooledClient },
    });
    await dataSource.initialize();
    try {
      if (onStep)
        step.total = (await new MigrationExecutor(dataSource).getPendingMigrations()).length;
      return (await dataSource.runMigrations()).map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

/** The migration, telling `starting` its name before its `up` runs. */
function announced(migration: MigrationClass, starting: (name: string) => void): MigrationClass {
  return class extends migration {
    override async up(queryRunner: QueryRunner): Promise<void> {
      starting(this.name ?? migration.name);
      await super.up(queryRunner);
    }
  };
}
