import { Logger } from '@nestjs/common';
import { Pool, PoolClient, PoolConfig } from 'pg';
import type { AppConfig } from '../config/app-config';
import type { DatabaseHandle } from './database/database-handle';
import type { EventLog } from './event-log.port';
import { EventStoreEventLog } from './eventstore/eventstore-event-log';
import { PostgresEventLog } from './postgres/postgres-event-log';

/** The event log for the configured store: EventStoreDB, PostgreSQL or embedded PGlite. */
export function createEventLog(
  handle: DatabaseHandle,
  config: AppConfig,
  logger = new Logger('EventLog'),
): EventLog {
  if (config.eventStoreConnectionString) {
    return EventStoreEventLog.fromConnectionString(config.eventStoreConnectionString, {
      onWarning: (message, error) => logger.warn({ err: error }, message),
    });
  }
  // PGlite runs one statement at a time in one session: one connection loses no concurrency, and
  // lets it keep named prepared statements (cleared on connect, since the session outlives it).
  const pool = new Pool({
    connectionString: handle.url,
    max: handle.sharedSession ? 1 : config.databasePoolSize,
    ...(handle.sharedSession
      ? { onConnect: (client: PoolClient) => client.query('DEALLOCATE ALL') }
      : {}),
  } as PoolConfig);
  pool.on('error', (error) => logger.warn({ err: error }, 'idle ledger connection failed'));
  const eventLog = new PostgresEventLog(pool, {
    ownsPool: true,
    preparedStatements: true,
    listenConnectionString: handle.sharedSession ? undefined : handle.url,
    pollIntervalMs: config.ledgerPollIntervalMs,
    pageSize: 500,
    onWarning: (message, error) => logger.warn({ err: error }, message),
  });
  return eventLog;
}
