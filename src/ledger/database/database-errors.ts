/** What a PostgreSQL or driver error means for the caller. */
export type DatabaseFailure = 'bad-value' | 'unavailable';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now
  '53300', // too many connections
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end/i;

/**
 * `bad-value`: the database refused a value it was given (SQLSTATE class 22, data exception,
 * or 54000 for a value too large); `unavailable`: it could not be reached or is going away.
 */
export function classifyDatabaseError(error: unknown): DatabaseFailure | undefined {
  const withCode = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = String(withCode?.driverError?.code ?? withCode?.code ?? '');
  if (code.startsWith('22') || code === '54000') return 'bad-value';
  if (UNAVAILABLE_CODES.has(code)) return 'unavailable';
  if (error instanceof Error && UNAVAILABLE_MESSAGE.test(error.message)) return 'unavailable';
  return undefined;
}
