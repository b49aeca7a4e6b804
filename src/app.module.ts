import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { APP_CONFIG, AppConfig, loadConfig, runsProjections } from './config/app-config';
import { ApiRoleObserver } from './attest-role';
import { AppConfigModule, SERVER_PEPPER } from './config/config.module';
import type { SubjectPepper } from './config/subject-pepper';
import { logOptions } from './ledger/http/request-log';
import { AuthModule } from './auth/auth.module';
import { HealthModule } from './health/health.module';
import { DatasetsModule } from './datasets/datasets.module';
import { TrainingRunsModule } from './training-runs/training-runs.module';
import { ModelRegistryModule } from './model-registry/model-registry.module';
import { ApprovalsModule } from './approvals/approvals.module';
import { EvaluationPolicyModule } from './evaluation/evaluation-policy.module';
import { EvaluationRunsModule } from './evaluation/evaluation-runs.module';
import { DeploymentsModule } from './deployments/deployments.module';
import { PredictionsModule } from './predictions/predictions.module';
import { PrivacyModule } from './privacy/privacy.module';
import { AccessLogModule } from './access-log/access-log.module';
import { LineageModule } from './lineage/lineage.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { ComplianceModule } from './compliance/compliance.module';
import { IntegrityModule } from './integrity/integrity.module';
import { AuditPackModule } from './audit-pack/audit-pack.module';
import { ServingModule } from './serving/serving.module';
import { BatchScoringModule } from './serving/batch/batch-scoring.module';
import { ReceiptsModule } from './receipts/receipts.module';
import { RetrainingModule } from './retraining/retraining.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { ConsoleModule } from './console/console.module';

import {
  DATABASE_HANDLE,
  DatabaseHandle,
  type EmbeddedStoreOptions,
} from './ledger/database/database-handle';
import { DatabaseModule } from './ledger/database/database.module';
import { PooledClient } from './ledger/database/pooled-client';
import type { Clock } from './ledger/clock';
import { LedgerModule } from './ledger/ledger.module';
// Every event type's schema, registered before anything appends or reads (README, "Event schemas").
import './event-schemas';
import { LedgerApiModule } from './ledger-api/ledger-api.module';

export interface AppOptions {
  /** Variables that take precedence over the environment (tests); .env is then not read. */
  env?: Record<string, string>;
  startProjections?: boolean;
  projectionRetryMs?: number;
  /** Where JSON log lines go (default stdout); tests read them from here. */
  logStream?: NodeJS.WritableStream;
  /** Where "now" comes from (tests replay history with their own); the system clock by default. */
  clock?: Clock;
  /** Extra modules (tests mount probes here). */
  imports?: DynamicModule['imports'];
  /** How a new embedded store starts (tests give it an already-migrated seed). */
  embeddedStore?: EmbeddedStoreOptions;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** X-Correlation-Id when the caller sent a sane one, otherwise a new UUID. */
export function correlationIdFor(request: IncomingMessage): string {
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions = {}): DynamicModule {
    // README, "Projector role": an API process runs no projection and none of the background
    // writers that go with them (checkpoint signing, retention sweep, webhook delivery,
    // retraining cadence read START_PROJECTIONS); it observes the projectors' checkpoints.
    const { role } = loadConfig({ ...process.env, ...options.env });
    const serving = options.startProjections ?? true;
    return {
      module: AppModule,
      providers: serving && !runsProjections(role) ? [ApiRoleObserver] : [],
      imports: [
        AppConfigModule.forRoot(options.env),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG, SERVER_PEPPER],
          useFactory: (config: AppConfig, pepper: SubjectPepper) => ({
            // The application's logger only: requests are logged by logRequests (app-setup.ts),
            // from a Fastify hook, not by this module's per-request middleware.
            forRoutes: [],
            pinoHttp: logOptions(config.logLevel, pepper.secret, options.logStream),
          }),
        }),
        DatabaseModule.forRoot(options.embeddedStore, options.logStream),
        TypeOrmModule.forRootAsync({
          inject: [DATABASE_HANDLE, APP_CONFIG],
          useFactory: (handle: DatabaseHandle, config: AppConfig) => ({
            type: 'postgres',
            url: handle.url,
            autoLoadEntities: true,
            synchronize: false,
            logging: false,
            extra: { max: config.databasePoolSize, Client: PooledClient },
          }),
        }),
        LedgerModule.forRoot({
          startProjections: serving && runsProjections(role),
          projectionRetryMs: options.projectionRetryMs,
          clock: options.clock,
        }),
        LedgerApiModule,
        AuthModule,
        HealthModule,
        DatasetsModule,
        TrainingRunsModule,
        ModelRegistryModule,
        ApprovalsModule,
        EvaluationPolicyModule,
        EvaluationRunsModule,
        DeploymentsModule,
        PredictionsModule,
        PrivacyModule,
        AccessLogModule,
        LineageModule,
        MonitoringModule,
        ComplianceModule,
        IntegrityModule,
        AuditPackModule,
        ServingModule,
        BatchScoringModule,
        ReceiptsModule,
        RetrainingModule,
        WebhooksModule,
        ConsoleModule,
        ...(options.imports ?? []),
      ],
    };
  }
}
