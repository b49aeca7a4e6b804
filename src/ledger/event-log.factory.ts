import { Logger } from '@nestjs/common';
import { Pool, PoolClient, PoolConfig } from 'pg';
import type { AppConfig } from '../config/app-config';
import type { DatabaseHandle } from './database/database-handle';
import type { DatabaseOutage } from './database/database-outage';
import { PooledClient } from './database/pooled-client';
import type { EventLog } from './event-log.port';
import type * as EventStoreAdapter from './eventstore/eventstore-event-log';
import { PostgresEventLog } from './postgres/postgres-event-log';

/** The event log for the configured store: EventStoreDB, PostgreSQL or embedded PGlite. */
export function createEventLog(
  handle: DatabaseHandle,
  config: AppConfig,
  logger = new Logger('EventLog'),
  outage?: Pick<DatabaseOutage, 'noteError'>,
): EventLog {
  // During a database outage every connection and subscription fails: the outage logs it once.
  const warn = (message: string, error: unknown) => {
    if (!outage?.noteError(error, message)) logger.warn({ err: error }, message);
  };
  if (config.eventStoreConnectionString) {
    // Loaded only when configured: @eventstore/db-client takes a tenth of a second to load.
    const { EventStoreEventLog } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('./eventstore/eventstore-event-log') as typeof EventStoreAdapter;
    return EventStoreEventLog.fromConnectionString(config.eventStoreConnectionString, {
      onWarning: warn,
    });
  }
  const pool = ledgerPool(handle, config, warn);
  const eventLog = new PostgresEventLog(pool, {
    ownsPool: true,
    preparedStatements: true,
    listenConnectionString: handle.sharedSession ? undefined : handle.url,
    pollIntervalMs: config.ledgerPollIntervalMs,
    pageSize: 500,
    onWarning: warn,
  });
  return eventLog;
}

/** The event log's connection pool on PostgreSQL or embedded PGlite. */
export function ledgerPool(
  handle: DatabaseHandle,
  config: Pick<AppConfig, 'databasePoolSize'>,
  warn: (message: string, error: unknown) => void,
): Pool {
  // PGlite runs one statement at a time in one session: one connection loses no concurrency, and
  // lets it keep named prepared statements (cleared on connect, since the session outlives it).
  const pool = new Pool({
    connectionString: handle.url,
    Client: PooledClient,
    max: handle.sharedSession ? 1 : config.databasePoolSize,
    ...(handle.sharedSession
      ? { onConnect: (client: PoolClient) => client.query('DEALLOCATE ALL') }
      : {}),
  } as PoolConfig);
  pool.on('error', (error) => warn('idle ledger connection failed', error));
  return pool;
}
