import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import {
  DATABASE_HANDLE,
  DatabaseHandle,
  EmbeddedStoreOptions,
  connectToServer,
  startEmbedded,
} from './database-handle';
import { migrate } from './migrate';
import { DatabaseOutage } from './database-outage';
import { StoreProgress } from './store-progress';
import { PostgresLeases } from '../projections/postgres-leases';
import { PROJECTION_LEASES, SoleProjector } from '../projections/projection-leases';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite store under DATA_DIR. */
@Global()
@Module({})
export class DatabaseModule {
  /** `logStream`: where the store's start-up lines go (AppOptions.logStream; stdout by default). */
  static forRoot(
    embedded: EmbeddedStoreOptions = {},
    logStream?: NodeJS.WritableStream,
  ): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DATABASE_HANDLE,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => openDatabase(config, embedded, logStream),
        },
        DatabaseOutage,
        {
          // README, "Projector role": on PostgreSQL several projector processes share the
          // projections, one each; the embedded store is one process's, which runs them all.
          provide: PROJECTION_LEASES,
          inject: [DATABASE_HANDLE, DatabaseOutage],
          useFactory: (handle: DatabaseHandle, outage: DatabaseOutage) =>
            handle.kind === 'postgres'
              ? new PostgresLeases(handle.url, { outage })
              : new SoleProjector(),
        },
      ],
      exports: [DATABASE_HANDLE, DatabaseOutage, PROJECTION_LEASES],
    };
  }
}

async function openDatabase(
  config: AppConfig,
  embedded: EmbeddedStoreOptions,
  logStream: NodeJS.WritableStream | undefined,
): Promise<DatabaseHandle> {
  const progress = new StoreProgress(config, logStream);
  const opened = progress.opening();
  const handle = config.databaseUrl
    ? connectToServer(config.databaseUrl)
    : await startEmbedded(config.dataDir, embedded);
  opened();
  // Migrated before anything else connects: read models, checkpoints and the event log.
  try {
    const migrating = progress.migrating();
    migrating.done(await migrate(handle.url, migrating.step));
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
