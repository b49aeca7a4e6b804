import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * What this process does (README, "Projector role"): `all` serves the API and runs the
 * projections and the background writers; `api` serves the API only (reads wait for projector
 * processes through X-Ledger-Position); `projector` runs the projections and the background
 * writers, serving health, readiness and metrics only.
 */
export type AttestRole = 'all' | 'api' | 'projector';

export const ATTEST_ROLES: readonly AttestRole[] = ['all', 'api', 'projector'];

/**
 * Whether the role runs the projections and the background writers that belong with them
 * (checkpoint signing, receipt sealing, drift checks, the realised-performance sweep, webhook
 * delivery, the retention sweep and retraining cadence checks): `all` and `projector`.
 */
export const runsProjections = (role: AttestRole): boolean => role !== 'api';

/** Whether the role serves the HTTP API (a projector serves health, readiness and metrics only). */
export const servesApi = (role: AttestRole): boolean => role !== 'projector';

export interface AppConfig {
  role: AttestRole;
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
  auth: AuthConfig;
  /**
   * Secret key of the subject hashes (docs/design.md §3). Absent: a pepper kept in dataDir, or a new one
   * per process with the in-memory data dir.
   */
  privacyPepper?: string;
  integrity: IntegrityConfig;
  rateLimit: RateLimitConfig;
  /**
   * Which peers' X-Forwarded-For is believed when telling a caller's address (Fastify's
   * trustProxy): true, false, a hop count, or addresses, CIDRs and the names loopback,
   * linklocal, uniquelocal.
   */
  trustProxy: boolean | number | string[];
  artifacts: ArtifactConfig;
  evaluation: EvaluationConfig;
  datasets: DatasetConfig;
  serving: ServingConfig;
  receipts: ReceiptConfig;
  monitoring: MonitoringConfig;
  webhooks: WebhookConfig;
  console: ConsoleConfig;
}

/** Models Attest serves itself (README, "Serving"). */
export interface ServingConfig {
  /** Worker threads holding onnxruntime sessions for real-time and batch scoring. */
  workers: number;
  /** Requests a minute per scoring caller (its own limit: an origination system is busy); 0: none. */
  perMinute: number;
}

/** Decision receipts and their sealing into PredictionBatchRecorded (README, "Decision receipts"). */
export interface ReceiptConfig {
  /** Seal once this many receipts of a deployment's version wait; 0: not by count. */
  sealEveryReceipts: number;
  /** Seal at most this long after a receipt was written; 0: not by time. */
  sealIntervalMs: number;
}

/** Drift, realised performance and retraining cadence (README, "Monitoring by Attest"). */
export interface MonitoringConfig {
  /** How often retraining cadences are checked; 0: never on its own. */
  cadenceCheckIntervalMs: number;
}

/** The web console at /console (README, "Console"). */
export interface ConsoleConfig {
  /**
   * OpenID Connect sign-in (authorization code with PKCE). Absent: the dev sign-in page, offered
   * only while tokens come from the built-in dev issuer.
   */
  oidc?: ConsoleOidcConfig;
  /** How long a dev sign-in session lasts. */
  sessionHours: number;
}

export interface ConsoleOidcConfig {
  /** The identity provider's issuer URL (its /.well-known/openid-configuration is read). */
  issuer: string;
  clientId: string;
  /** A confidential client's secret; absent: a public client (PKCE alone). */
  clientSecret?: string;
  scopes: string;
  /** Where the provider sends the browser back: <public URL>/console/callback. */
  redirectUrl: string;
}

/** Outgoing webhooks (README, "Webhooks"). */
export interface WebhookConfig {
  /** How often the outbox is polled for due deliveries. */
  pollIntervalMs: number;
  /** Attempts are retried with exponential backoff and jitter for this long, then given up. */
  retryForMs: number;
  /** One attempt's timeout. */
  timeoutMs: number;
}

/** Stored dataset data (README, "Dataset data"). */
export interface DatasetConfig {
  /** How often the retention sweep purges data past its retention; 0: never on its own. */
  sweepIntervalMs: number;
}

/** Evaluation runs Attest scores itself (README, "Evaluation runs"). */
export interface EvaluationConfig {
  /** Worker threads scoring evaluation jobs at once; further jobs wait in a queue. */
  workers: number;
}

/** One worker per core but one left to the HTTP thread, at most two: scoring is CPU-bound. */
export const defaultEvaluationWorkers = (cores: number): number =>
  Math.max(1, Math.min(2, cores - 1));

/** Where uploaded model artifacts are kept, by content digest, and the largest accepted. */
export interface ArtifactConfig {
  /** Absent (DATA_DIR=memory:// and no ARTIFACT_DIR): a temporary directory per process. */
  dir?: string;
  maxBytes: number;
}

/** Requests per caller and failed authentications per address; 0 turns a limit off. */
export interface RateLimitConfig {
  /** Requests a minute per caller: the token's subject, or the address without a token. */
  perMinute: number;
  /** Requests answered 401 a minute per address before every request from it gets 429. */
  authFailuresPerMinute: number;
}

/** The integrity log's signed checkpoints (docs/design.md §5). */
export interface IntegrityConfig {
  /** Names this ledger in every checkpoint, so a checkpoint of another installation is refused. */
  logId: string;
  /** Ed25519 private key (JWK or PKCS#8 PEM). Absent: a key kept in dataDir (or in memory). */
  signingKeyFile?: string;
  /** Sign once this many events are past the last checkpoint; 0: not by count. */
  checkpointEveryEvents: number;
  /** Sign at most this long after an event was recorded; 0: not by time. */
  checkpointIntervalMs: number;
  /** What signs PDFs inside the file (PAdES); none set: a self-signed certificate in dataDir. */
  pdfSigning: { certFile?: string; keyFile?: string; p12File?: string; p12Passphrase?: string };
  /** How PDF covers name this service (the verifier's and the keys' URLs); unset: the request's. */
  publicUrl?: string;
}

export interface AuthConfig {
  /** Where verification keys come from: an identity provider's JWKS, or the built-in dev issuer. */
  keys: { kind: 'remote'; url: string } | { kind: 'file'; path: string } | { kind: 'dev-issuer' };
  issuer: string;
  audience: string;
  rolesClaim: string;
  algorithms: string[];
  clockToleranceSeconds: number;
}

export const DEV_ISSUER = 'urn:attest:dev-issuer';
const ASYMMETRIC_ALGORITHMS = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
];

export class ConfigError extends Error {}

/** The shortest PRIVACY_PEPPER accepted. */
export const MIN_PEPPER_LENGTH = 32;

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

/** A secret: refused when short, and never echoed in the message. */
function privacyPepper(env: Env): string | undefined {
  const raw = env.PRIVACY_PEPPER;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < MIN_PEPPER_LENGTH) {
    throw new ConfigError(
      `PRIVACY_PEPPER is invalid: expected a secret of at least ${MIN_PEPPER_LENGTH} characters, got ${raw.length}`,
    );
  }
  return raw;
}

function authConfig(env: Env): AuthConfig {
  const url = env.AUTH_JWKS_URL || undefined;
  const path = env.AUTH_JWKS_FILE || undefined;
  if (url && path)
    throw new ConfigError(
      'AUTH_JWKS_URL and AUTH_JWKS_FILE are both set: expected one source of keys',
    );
  if (url && !/^https?:\/\/\S+$/.test(url)) {
    throw new ConfigError(
      `AUTH_JWKS_URL=${JSON.stringify(url)} is invalid: expected an https:// URL of a JWKS`,
    );
  }
  const external = url !== undefined || path !== undefined;
  if (external && !env.AUTH_ISSUER) {
    throw new ConfigError(
      'AUTH_ISSUER is missing: with AUTH_JWKS_URL or AUTH_JWKS_FILE set, tokens must name their issuer',
    );
  }
  const algorithms = (env.AUTH_ALGORITHMS || 'EdDSA,ES256,RS256,PS256')
    .split(',')
    .map((a) => a.trim());
  const refused = algorithms.filter((algorithm) => !ASYMMETRIC_ALGORITHMS.includes(algorithm));
  if (refused.length > 0) {
    throw new ConfigError(
      `AUTH_ALGORITHMS lists ${refused.join(', ')}: expected asymmetric algorithms only (${ASYMMETRIC_ALGORITHMS.join(', ')})`,
    );
  }
  return {
    keys: url ? { kind: 'remote', url } : path ? { kind: 'file', path } : { kind: 'dev-issuer' },
    issuer: env.AUTH_ISSUER || DEV_ISSUER,
    audience: env.AUTH_AUDIENCE || 'attest',
    rolesClaim: env.AUTH_ROLES_CLAIM || 'roles',
    algorithms,
    clockToleranceSeconds: integer(env, 'AUTH_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
  };
}

function attestRole(env: Env): AttestRole {
  const raw = env.ATTEST_ROLE;
  if (raw === undefined || raw === '') return 'all';
  const role = raw as AttestRole;
  if (!ATTEST_ROLES.includes(role)) {
    throw new ConfigError(
      `ATTEST_ROLE=${JSON.stringify(raw)} is invalid: expected one of ${ATTEST_ROLES.join(', ')} (all: API and projections in one process)`,
    );
  }
  // One process holds the embedded store's data dir: an API process and a projector process
  // could never share it.
  if (role !== 'all' && !env.DATABASE_URL) {
    throw new ConfigError(
      `ATTEST_ROLE=${role} needs DATABASE_URL: the embedded store under DATA_DIR is held by one process, so separate API and projector processes share a PostgreSQL server (or leave ATTEST_ROLE unset for one process doing both)`,
    );
  }
  return role;
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
    role: attestRole(env),
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
    auth: authConfig(env),
    privacyPepper: privacyPepper(env),
    integrity: integrityConfig(env),
    trustProxy: trustProxy(env),
    artifacts: {
      dir: artifactDir(env, dataDir),
      maxBytes: integer(env, 'ARTIFACT_MAX_BYTES', 536_870_912, 1, 68_719_476_736),
    },
    evaluation: {
      workers: integer(
        env,
        'EVALUATION_WORKERS',
        defaultEvaluationWorkers(availableParallelism()),
        1,
        64,
      ),
    },
    datasets: {
      // Hourly by default; at most daily, so data past retention never waits more than a day.
      sweepIntervalMs: integer(env, 'DATASET_SWEEP_INTERVAL_MS', 3_600_000, 0, 86_400_000),
    },
    serving: {
      workers: integer(
        env,
        'SERVING_WORKERS',
        defaultEvaluationWorkers(availableParallelism()),
        1,
        64,
      ),
      perMinute: integer(env, 'RATE_LIMIT_SCORING_PER_MINUTE', 120_000, 0, 10_000_000),
    },
    receipts: {
      sealEveryReceipts: integer(env, 'SEAL_EVERY_RECEIPTS', 1000, 0, 1_000_000),
      sealIntervalMs: integer(env, 'SEAL_INTERVAL_MS', 60_000, 0, 86_400_000),
    },
    monitoring: {
      cadenceCheckIntervalMs: integer(
        env,
        'RETRAINING_CHECK_INTERVAL_MS',
        3_600_000,
        0,
        86_400_000,
      ),
    },
    webhooks: {
      pollIntervalMs: integer(env, 'WEBHOOK_POLL_INTERVAL_MS', 1000, 10, 60_000),
      retryForMs: integer(env, 'WEBHOOK_RETRY_FOR_MS', 129_600_000, 1000, 604_800_000),
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    },
    console: consoleConfig(env),
    rateLimit: {
      // Per replica; a fleet of pipelines may share one service principal's subject.
      perMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 6000, 0, 1_000_000),
      authFailuresPerMinute: integer(env, 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', 20, 0, 1_000_000),
    },
  };
}

function consoleConfig(env: Env): ConsoleConfig {
  const sessionHours = integer(env, 'CONSOLE_SESSION_HOURS', 8, 1, 24);
  const issuer = env.CONSOLE_OIDC_ISSUER || undefined;
  if (!issuer) return { sessionHours };
  if (!/^https?:\/\/\S+$/.test(issuer))
    throw new ConfigError(
      `CONSOLE_OIDC_ISSUER=${JSON.stringify(issuer)} is invalid: expected the identity provider’s https:// issuer URL`,
    );
  const clientId = env.CONSOLE_OIDC_CLIENT_ID;
  if (!clientId)
    throw new ConfigError(
      'CONSOLE_OIDC_CLIENT_ID is missing: with CONSOLE_OIDC_ISSUER set, the console signs in as that client',
    );
  // The session is the provider's access token, verified as API bearer tokens are.
  if (!env.AUTH_JWKS_URL && !env.AUTH_JWKS_FILE)
    throw new ConfigError(
      'AUTH_JWKS_URL is missing: with CONSOLE_OIDC_ISSUER set, the console keeps the identity provider’s access token as its session and verifies it as API tokens are, so AUTH_JWKS_URL (or AUTH_JWKS_FILE), AUTH_ISSUER and AUTH_AUDIENCE must describe that provider’s access tokens',
    );
  const scopes = env.CONSOLE_OIDC_SCOPES || 'openid profile';
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(scopes))
    throw new ConfigError(
      `CONSOLE_OIDC_SCOPES=${JSON.stringify(scopes)} is invalid: expected scopes separated by single spaces (openid is always asked for)`,
    );
  const publicUrl = env.CONSOLE_PUBLIC_URL;
  // The console's cookies are scoped to /console, so it is served at /console of this origin.
  if (!publicUrl || !/^https?:\/\/[^/\s?#]+\/?$/.test(publicUrl))
    throw new ConfigError(
      'CONSOLE_PUBLIC_URL is missing or invalid: with CONSOLE_OIDC_ISSUER set, expected the origin browsers reach Attest at, without a path (https://attest.example.com), for the sign-in redirect',
    );
  return {
    sessionHours,
    oidc: {
      issuer,
      clientId,
      clientSecret: env.CONSOLE_OIDC_CLIENT_SECRET || undefined,
      scopes,
      redirectUrl: `${publicUrl.replace(/\/+$/, '')}/console/callback`,
    },
  };
}

function artifactDir(env: Env, dataDir: string): string | undefined {
  const raw = env.ARTIFACT_DIR;
  if (raw !== undefined && raw !== '') {
    if (raw === MEMORY_DATA_DIR) {
      throw new ConfigError(
        'ARTIFACT_DIR=memory:// is invalid: expected a directory (leave it unset to keep artifacts in a temporary directory with DATA_DIR=memory://)',
      );
    }
    return isAbsolute(raw) ? raw : resolve(process.cwd(), raw);
  }
  if (dataDir === MEMORY_DATA_DIR) return undefined;
  return join(isAbsolute(dataDir) ? dataDir : resolve(process.cwd(), dataDir), 'artifacts');
}

/**
 * Only a proxy on this host by default: any other peer could send an X-Forwarded-For naming an
 * address it does not have (a client on the same private network, too), so operators name their
 * proxies in TRUST_PROXY.
 */
const DEFAULT_TRUST_PROXY = ['loopback'];

function trustProxy(env: Env): boolean | number | string[] {
  const raw = env.TRUST_PROXY;
  if (raw === undefined || raw === '') return DEFAULT_TRUST_PROXY;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\d+$/.test(raw)) return integer(env, 'TRUST_PROXY', 0, 0, 100);
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => !/^[0-9A-Za-z:.]+(\/\d{1,3})?$/.test(entry))) {
    throw new ConfigError(
      `TRUST_PROXY=${JSON.stringify(raw)} is invalid: expected true, false, a hop count, or a comma-separated list of addresses, CIDRs, loopback, linklocal or uniquelocal`,
    );
  }
  return entries;
}

function integrityConfig(env: Env): IntegrityConfig {
  const logId = env.LEDGER_LOG_ID || 'attest';
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(logId)) {
    throw new ConfigError(
      `LEDGER_LOG_ID=${JSON.stringify(logId)} is invalid: expected letters, digits, '.', '_', ':' or '-' (at most 100), such as acme-bank-prod`,
    );
  }
  const signingKeyFile = env.SIGNING_KEY_FILE || undefined;
  if (signingKeyFile && !existsSync(signingKeyFile)) {
    throw new ConfigError(
      `SIGNING_KEY_FILE=${JSON.stringify(signingKeyFile)} does not exist: expected an Ed25519 private key (JWK or PKCS#8 PEM)`,
    );
  }
  const file = (name: string, what: string) => {
    const path = env[name] || undefined;
    if (path && !existsSync(path)) {
      throw new ConfigError(`${name}=${JSON.stringify(path)} does not exist: expected ${what}`);
    }
    return path;
  };
  const certFile = file('PDF_SIGNING_CERT_FILE', 'a PEM certificate (then its chain)');
  const keyFile = file('PDF_SIGNING_KEY_FILE', 'a PEM private key (RSA or EC)');
  const p12File = file('PDF_SIGNING_P12_FILE', 'a PKCS#12 file with the key and certificate');
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError(
      'PDF_SIGNING_CERT_FILE and PDF_SIGNING_KEY_FILE go together: set both, or PDF_SIGNING_P12_FILE, or neither',
    );
  }
  if (p12File && certFile) {
    throw new ConfigError(
      'PDF_SIGNING_P12_FILE and PDF_SIGNING_CERT_FILE are both set: expected one source of the PDF signing key',
    );
  }
  const publicUrl = env.PUBLIC_URL?.replace(/\/+$/, '') || undefined;
  if (publicUrl && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(publicUrl)) {
    throw new ConfigError(
      `PUBLIC_URL=${JSON.stringify(env.PUBLIC_URL)} is invalid: expected the service's address, such as https://attest.example`,
    );
  }
  return {
    logId,
    signingKeyFile,
    pdfSigning: { certFile, keyFile, p12File, p12Passphrase: env.PDF_SIGNING_P12_PASSPHRASE },
    publicUrl,
    checkpointEveryEvents: integer(env, 'CHECKPOINT_EVERY_EVENTS', 1000, 0, 10_000_000),
    checkpointIntervalMs: integer(env, 'CHECKPOINT_INTERVAL_MS', 60_000, 0, 86_400_000),
  };
}

export const APP_CONFIG = Symbol('AppConfig');

/** Entry points read ./.env (if any) before checking the environment, as @nestjs/config does. */
export function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}
