import {
  DynamicModule,
  Inject,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CLOCK, Clock, systemClock } from './clock';
import { DATABASE_HANDLE, DatabaseHandle } from './database/database-handle';
import { EVENT_LOG, EventLog } from './event-log.port';
import { ReadYourWritesGuard } from './http/read-your-writes.guard';
import { createEventLog } from './event-log.factory';
import { DatabaseOutage } from './database/database-outage';
import { IdempotencyInterceptor } from './commands/idempotency.interceptor';
import { IdempotencyOwner } from './commands/idempotency-owner';
import { StreamWriter } from './commands/stream-writer';
import { PROJECTION_RETRY_MS, ProjectionRunner } from './projections/projection-runner';
import { StreamIndexProjection } from './stream-index/stream-index.projection';
import { StreamIndexEntry } from './stream-index/stream-index.read-model';

export const START_PROJECTIONS = Symbol('StartProjections');

/**
 * Starts the projections once the application is up, and tears storage down in one order after
 * the HTTP server has closed: projections, event log, read-model connections, then the store.
 */
class LedgerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly dataSource: DataSource,
    @Inject(DATABASE_HANDLE) private readonly database: DatabaseHandle,
    @Inject(START_PROJECTIONS) private readonly startProjections: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.startProjections) await this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    await this.eventLog.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.database.close();
  }
}

/**
 * The event log, hash chains and the projection runner. The ledger's HTTP endpoints (events,
 * streams, verification) are in src/ledger-api (docs/architecture.md, "Boundaries").
 */
@Module({})
export class LedgerModule {
  static forRoot(options: {
    startProjections: boolean;
    projectionRetryMs?: number;
    clock?: Clock;
  }): DynamicModule {
    return {
      module: LedgerModule,
      global: true,
      imports: [
        CqrsModule.forRoot(),
        DiscoveryModule,
        TypeOrmModule.forFeature([StreamIndexEntry]),
      ],
      providers: [
        {
          provide: EVENT_LOG,
          inject: [DATABASE_HANDLE, APP_CONFIG, DatabaseOutage],
          useFactory: (handle: DatabaseHandle, config: AppConfig, outage: DatabaseOutage) =>
            createEventLog(handle, config, undefined, outage),
        },
        { provide: START_PROJECTIONS, useValue: options.startProjections },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: PROJECTION_RETRY_MS, useValue: options.projectionRetryMs ?? 1000 },
        ProjectionRunner,
        LedgerLifecycle,
        ReadYourWritesGuard,
        IdempotencyInterceptor,
        IdempotencyOwner,
        StreamWriter,
        StreamIndexProjection,
      ],
      exports: [
        EVENT_LOG,
        CLOCK,
        START_PROJECTIONS,
        ProjectionRunner,
        ReadYourWritesGuard,
        IdempotencyInterceptor,
        StreamWriter,
      ],
    };
  }
}
