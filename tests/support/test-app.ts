import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app-setup';
import type { AppOptions } from '../../src/app.module';
import { EVENT_LOG, EventLog } from '../../src/ledger/event-log.port';
import { ProjectionRunner } from '../../src/ledger/projections/projection-runner';
import { ProbeModule } from './probe.module';
import { StoreKind, TestDatabase, createTestDatabase, defaultStoreKind } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  http: () => ReturnType<typeof request>;
  eventLog: EventLog;
  runner: ProjectionRunner;
  database?: TestDatabase;
  close(): Promise<void>;
}

/** The whole service on a fresh database (PostgreSQL with DATABASE_URL, else in-memory PGlite). */
export async function startTestApp(
  options: AppOptions & { kind?: StoreKind; database?: TestDatabase } = {},
): Promise<TestApp> {
  const kind = options.kind ?? defaultStoreKind();
  // A database passed in belongs to its creator, which drops it; this app only connects to it.
  const owned =
    !options.database && kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
  const database = options.database ?? owned;
  const env = { LOG_LEVEL: 'silent', DATA_DIR: 'memory://', ...database?.env, ...options.env };
  const app = await createApp({
    ...options,
    env,
    projectionRetryMs: options.projectionRetryMs ?? 10,
    imports: [ProbeModule, ...(options.imports ?? [])],
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: () => request(app.getHttpServer()),
    eventLog: app.get<EventLog>(EVENT_LOG),
    runner: app.get(ProjectionRunner),
    database,
    close: async () => {
      await app.close();
      await owned?.close();
    },
  };
}
