import { Client } from 'pg';
import { loadConfig } from '../../src/config/app-config';
import { migrate } from '../../src/ledger/database/migrate';
import { createEventLog } from '../../src/ledger/event-log.factory';
import type { EventLog, RecordedEvent, JsonObject } from '../../src/ledger/event-log.port';
import { EventStoreEventLog } from '../../src/ledger/eventstore/eventstore-event-log';
import { startEsdbEmulator } from './esdb-emulator';
import { TestDatabase, createDatabaseToMigrate, tamperWithSql } from './test-database';

/** Every store the EventLog contract runs against. */
export type LedgerKind = 'embedded' | 'postgres' | 'eventstore-emulator' | 'eventstore';

export interface LedgerFixture {
  kind: LedgerKind;
  log: EventLog;
  /** Raw SQL on the PostgreSQL-family stores, for what only they can show. */
  sql?: Client;
  database?: TestDatabase;
  /** How many events the store holds, committed or not yet readable in order. */
  countEvents(): Promise<number>;
  /** Changes one stored event's data behind the ledger's back (where the store allows it). */
  tamper?(eventId: string, data: JsonObject): Promise<void>;
  close(): Promise<void>;
}

export function isPostgresFamily(kind: LedgerKind): kind is 'embedded' | 'postgres' {
  return kind === 'embedded' || kind === 'postgres';
}

/** What a store guarantees beyond the shared contract. */
export const capabilities = {
  /** PostgreSQL refuses an event id used anywhere in the ledger; EventStoreDB checks per stream. */
  globallyUniqueIds: (kind: LedgerKind) => kind === 'embedded' || kind === 'postgres',
  /** jsonb cannot hold U+0000; EventStoreDB stores the bytes. */
  refusesNul: (kind: LedgerKind) => kind === 'embedded' || kind === 'postgres',
  tamper: (kind: LedgerKind) => kind !== 'eventstore',
};

/**
 * The embedded store and the EventStoreDB emulator always; real PostgreSQL with DATABASE_URL;
 * a real EventStoreDB with ESDB_TEST_CONNECTION_STRING.
 */
export function ledgerKinds(): LedgerKind[] {
  return [
    'embedded',
    ...(process.env.DATABASE_URL ? (['postgres'] as const) : []),
    'eventstore-emulator',
    ...(process.env.ESDB_TEST_CONNECTION_STRING ? (['eventstore'] as const) : []),
  ];
}

export async function openLedger(kind: LedgerKind): Promise<LedgerFixture> {
  if (kind === 'eventstore-emulator') {
    const emulator = await startEsdbEmulator();
    const log = EventStoreEventLog.fromConnectionString(emulator.connectionString);
    return {
      kind,
      log,
      countEvents: () => countByReading(log),
      tamper: async (eventId, data) => emulator.tamper(eventId, data),
      close: async () => {
        await log.close();
        await emulator.stop();
      },
    };
  }
  if (kind === 'eventstore') {
    const log = EventStoreEventLog.fromConnectionString(
      process.env.ESDB_TEST_CONNECTION_STRING as string,
    );
    return { kind, log, countEvents: () => countByReading(log), close: () => log.close() };
  }
  return openPostgresFamily(kind);
}

async function openPostgresFamily(kind: 'embedded' | 'postgres'): Promise<LedgerFixture> {
  const database: TestDatabase = await createDatabaseToMigrate(kind);
  await migrate(database.url);
  const log = createEventLog(database, loadConfig({ LEDGER_POLL_INTERVAL_MS: '200' }));
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  return {
    kind,
    log,
    sql,
    database,
    countEvents: async () =>
      Number((await sql.query('SELECT count(*) AS n FROM ledger_events')).rows[0].n),
    tamper: (eventId, data) => tamperWithSql(database.url, eventId, data),
    close: async () => {
      await log.close();
      await sql.end();
      await database.close();
    },
  };
}

export async function countByReading(
  log: EventLog,
  counts: (event: RecordedEvent) => boolean = () => true,
): Promise<number> {
  let count = 0;
  let from: string | undefined;
  for (;;) {
    const page = await log.readAll({ from, maxCount: 1000 });
    count += page.filter(counts).length;
    if (page.length < 1000) return count;
    from = page[page.length - 1].position;
  }
}
