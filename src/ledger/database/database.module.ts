import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DATABASE_HANDLE, DatabaseHandle, connectToServer, startEmbedded } from './database-handle';

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle) {}

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite store under DATA_DIR. */
@Global()
@Module({
  providers: [
    {
      provide: DATABASE_HANDLE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Promise<DatabaseHandle> | DatabaseHandle =>
        config.databaseUrl ? connectToServer(config.databaseUrl) : startEmbedded(config.dataDir),
    },
    DatabaseLifecycle,
  ],
  exports: [DATABASE_HANDLE],
})
export class DatabaseModule {}
