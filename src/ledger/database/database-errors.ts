/** What a PostgreSQL or driver error means for the caller. */
export type DatabaseFailure = 'bad-value' | 'unavailable';

/** SQLSTATEs and socket errors that say the database cannot serve now: a retry may succeed. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '3D000', // database does not exist (dropped, or not created yet)
  '28000', // invalid authorization specification
  '28P01', // password authentication failed
  '53000', // insufficient resources
  '53100', // disk full
  '53200', // out of memory
  '53300', // too many connections
  '55000', // object not in prerequisite state: the database is not accepting connections
  '55006', // object in use
  '57014', // query cancelled (statement timeout)
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now (starting up, shutting down)
  '57P04', // database dropped
  '57P05', // idle session timeout
  '58000', // system error
  '58030', // I/O error
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error|Connection is closed|not queryable|the database system is (starting up|shutting down|in recovery mode)|too many clients|is not accepting connections/i;

/** The SQLSTATE or errno of an error, its driver error's (TypeORM), or its cause's. */
function codeOf(error: unknown, depth = 0): string {
  if (typeof error !== 'object' || error === null || depth > 3) return '';
  const withCode = error as {
    code?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  const own = typeof withCode.code === 'string' ? withCode.code : '';
  if (own && own !== 'ERR_UNHANDLED_ERROR') return own;
  return (
    codeOf(withCode.driverError, depth + 1) ||
    codeOf(withCode.cause, depth + 1) ||
    (Array.isArray(withCode.errors) ? codeOf(withCode.errors[0], depth + 1) : '')
  );
}

/**
 * `bad-value`: the database refused a value it was given (SQLSTATE class 22, data exception,
 * or 54000 for a value too large); `unavailable`: it could not be reached, refuses connections,
 * does not exist (now), or is going away (class 08, 53, 57P, 55000, 3D000, socket errors...).
 */
export function classifyDatabaseError(error: unknown): DatabaseFailure | undefined {
  const code = codeOf(error);
  if (code.startsWith('22') || code === '54000') return 'bad-value';
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return 'unavailable';
  // Already translated by an event log adapter (LedgerUnavailable).
  if (code === 'ledger-unavailable') return 'unavailable';
  if (error instanceof Error && UNAVAILABLE_MESSAGE.test(error.message)) return 'unavailable';
  return undefined;
}

/** A short, stable description of an unavailability for a log line (no query text, no values). */
export function describeDatabaseError(error: unknown): string {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message}` : message;
}
