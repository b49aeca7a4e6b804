import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app-setup';
import { DevIssuer } from '../../src/auth/dev-issuer';
import type { Role } from '../../src/auth/roles';
import type { AppOptions } from '../../src/app.module';
import { DATABASE_HANDLE, DatabaseHandle } from '../../src/ledger/database/database-handle';
import { EVENT_LOG, EventLog, JsonObject } from '../../src/ledger/event-log.port';
import { ProjectionRunner } from '../../src/ledger/projections/projection-runner';
import { Client } from 'pg';
import { migratedSeed } from './embedded-seed';
import { startEsdbEmulator } from './esdb-emulator';
import { countByReading } from './ledger-fixtures';
import { ProbeModule } from './probe.module';
import {
  StoreKind,
  TestDatabase,
  createTestDatabase,
  defaultStoreKind,
  tamperWithSql,
} from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  /** Requests carrying a dev-issuer token for an admin (every read is open to every role). */
  http: () => ReturnType<typeof request.agent>;
  /** Requests with no token at all. */
  anonymous: () => ReturnType<typeof request>;
  /** A dev-issuer token for this app. */
  token: (sub: string, roles: Role[], expiresIn?: string) => Promise<string>;
  eventLog: EventLog;
  runner: ProjectionRunner;
  database?: TestDatabase;
  /**
   * How many governance events the ledger holds (the access log's own records left out),
   * committed ones included even while an older transaction elsewhere still holds them back from
   * global-order reads: what "nothing was appended" checks.
   */
  countEvents(): Promise<number>;
  /** Changes one stored event's data behind the ledger's back, in whichever store holds it. */
  tamper(eventId: string, data: JsonObject): Promise<void>;
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
  // TEST_EVENT_STORE=emulator runs the app's events on the EventStoreDB emulator (needs PostgreSQL).
  const emulator =
    process.env.TEST_EVENT_STORE === 'emulator' &&
    database &&
    !options.env?.EVENTSTORE_CONNECTION_STRING
      ? await startEsdbEmulator()
      : undefined;
  const env = {
    LOG_LEVEL: 'silent',
    DATA_DIR: 'memory://',
    // No checkpoint appears on its own in the middle of a test; tests of signing turn it on.
    CHECKPOINT_EVERY_EVENTS: '0',
    CHECKPOINT_INTERVAL_MS: '0',
    // Nor a batch of decision receipts sealed by time; tests of sealing set their own.
    SEAL_INTERVAL_MS: '0',
    // Suites fire many requests from one address; tests of the limits turn them on.
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
    // An embedded app must not pick up the DATABASE_URL that CI exports for the suite.
    ...(kind === 'embedded' && !database ? { DATABASE_URL: '' } : {}),
    ...database?.env,
    ...(emulator ? { EVENTSTORE_CONNECTION_STRING: emulator.connectionString } : {}),
    ...options.env,
  };
  // A new embedded store starts from the suite's migrated copy (README "Tests").
  const seeded = kind === 'embedded' && !database && !env.DATABASE_URL;
  const app = await createApp({
    ...options,
    embeddedStore: options.embeddedStore ?? (seeded ? { seed: await migratedSeed() } : undefined),
    env,
    projectionRetryMs: options.projectionRetryMs ?? 10,
    imports: [ProbeModule, ...(options.imports ?? [])],
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const issuer = app.get(DevIssuer, { strict: false }) as DevIssuer | null;
  const token = (sub: string, roles: Role[], expiresIn?: string) => {
    if (!issuer) throw new Error('this app verifies tokens from an external issuer');
    return issuer.sign({ sub, roles }, expiresIn);
  };
  const eventLog = app.get<EventLog>(EVENT_LOG);
  const reader = issuer ? `Bearer ${await token('test-reader', ['admin'])}` : undefined;
  return {
    app,
    http: () => {
      const agent = request.agent(app.getHttpServer());
      return reader ? agent.set('Authorization', reader) : agent;
    },
    anonymous: () => request(app.getHttpServer()),
    token,
    eventLog,
    runner: app.get(ProjectionRunner),
    database,
    countEvents: async () => {
      if (emulator || options.env?.EVENTSTORE_CONNECTION_STRING) {
        return countByReading(eventLog, (event) => !event.stream.startsWith('access-log-'));
      }
      const sql = new Client({ connectionString: app.get<DatabaseHandle>(DATABASE_HANDLE).url });
      await sql.connect();
      try {
        const { rows } = await sql.query<{ n: string }>(
          "SELECT count(*) AS n FROM ledger_events WHERE stream NOT LIKE 'access-log-%'",
        );
        return Number(rows[0].n);
      } finally {
        await sql.end();
      }
    },
    tamper: async (eventId, data) => {
      if (emulator) return emulator.tamper(eventId, data);
      await tamperWithSql(app.get<DatabaseHandle>(DATABASE_HANDLE).url, eventId, data);
    },
    close: async () => {
      await app.close();
      await emulator?.stop();
      await owned?.close();
    },
  };
}
