import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Absent: the embedded PGlite store under dataDir. */
  databaseUrl?: string;
  /** Set: events live in EventStoreDB; read models and checkpoints stay in PostgreSQL. */
  eventStoreConnectionString?: string;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  readWaitTimeoutMs: number;
  ledgerPollIntervalMs: number;
  /** Connections in each pool (the event log's and the read models'). */
  databasePoolSize: number;
}

export class ConfigError extends Error {}

/** DATA_DIR=memory:// keeps the embedded store in memory only (demos, tests). */
export const MEMORY_DATA_DIR = 'memory://';

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is invalid: expected a whole number from ${min} to ${max}`,
    );
  }
  return Number(raw);
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `DATABASE_URL is invalid: expected a URL like postgres://user:password@host:5432/database`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL is invalid: expected a postgres:// or postgresql:// URL, got ${url.protocol}//`,
    );
  }
  return raw;
}

function eventStoreConnectionString(env: Env): string | undefined {
  const raw = env.EVENTSTORE_CONNECTION_STRING;
  if (raw === undefined || raw === '') return undefined;
  if (!/^esdb(\+discover)?:\/\/[^\s]+$/.test(raw)) {
    throw new ConfigError(
      'EVENTSTORE_CONNECTION_STRING is invalid: expected esdb://host:2113?tls=false (or esdb+discover://…)',
    );
  }
  return raw;
}

/** Reads and checks the environment; the first bad variable stops start-up with one line. */
export function loadConfig(env: Env = process.env): AppConfig {
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} is invalid: expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  const dataDir = env.DATA_DIR || './var';
  const eventStore = eventStoreConnectionString(env);
  if (eventStore && !env.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_URL is missing: with EVENTSTORE_CONNECTION_STRING set, read models and checkpoints live in PostgreSQL, so a postgres:// URL is required',
    );
  }
  return {
    eventStoreConnectionString: eventStore,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir:
      dataDir === MEMORY_DATA_DIR || isAbsolute(dataDir)
        ? dataDir
        : resolve(process.cwd(), dataDir),
    databaseUrl: databaseUrl(env),
    logLevel,
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    readWaitTimeoutMs: integer(env, 'READ_WAIT_TIMEOUT_MS', 5000, 0, 60_000),
    ledgerPollIntervalMs: integer(env, 'LEDGER_POLL_INTERVAL_MS', 1000, 10, 60_000),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
  };
}

export const APP_CONFIG = Symbol('AppConfig');

/** Entry points read ./.env (if any) before checking the environment, as @nestjs/config does. */
export function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}
