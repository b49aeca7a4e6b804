import type { EntityManager } from 'typeorm';
import { classifyDatabaseError } from '../database/database-errors';
import type { LedgerPosition, RecordedEvent } from '../event-log.port';

/**
 * `transient`: the database could not do the work now (unreachable, connection lost,
 * serialization failure, deadlock, lock or resource limits, or anything it reports we do not
 * recognise by its SQLSTATE): retry the same events later. `deterministic`: the event itself
 * cannot be applied (a data exception or constraint violation, SQLSTATE class 22 or 23, a value
 * too large, or the handler's own exception, including one with a Node `ERR_*` or other
 * non-SQLSTATE code); it is retried alone before it is recorded as a fault.
 */
export type ProjectionFailure = 'transient' | 'deterministic';

/** SQLSTATE classes and codes that describe the values of one event, not the database's state. */
const DETERMINISTIC_SQLSTATE = /^(22|23)[0-9A-Z]{3}$|^54000$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

export function classifyProjectionError(error: unknown): ProjectionFailure {
  if (classifyDatabaseError(error) === 'unavailable') return 'transient';
  const code = errorCodeOf(error);
  // Only a database's SQLSTATE can say "try again later"; a code of any other form (Node's
  // ERR_INVALID_ARG_TYPE, ERR_INVALID_URL, a system errno such as EPERM) comes from the handler or
  // the process and would fail the same way on every retry. The socket errors that do mean the
  // database is unreachable were taken as transient above.
  if (code === undefined || !SQLSTATE.test(code) || isSystemError(error)) return 'deterministic';
  return DETERMINISTIC_SQLSTATE.test(code) ? 'deterministic' : 'transient';
}

/** Node's system errors carry the syscall that failed; a SQLSTATE-shaped errno (EPERM) is not one. */
function isSystemError(error: unknown): boolean {
  const withSyscall = error as { syscall?: unknown } | undefined;
  return typeof withSyscall?.syscall === 'string';
}

export interface FaultError {
  /** SQLSTATE for a database error, else the error's class name (TypeError, Error, …). */
  code: string;
  /** The first line of the message with every literal value taken out. */
  message: string;
}

/** What may be stored, logged or shown of an error: event values can be personal data. */
export function describeProjectionError(error: unknown): FaultError {
  const code = errorCodeOf(error);
  const name = error instanceof Error ? error.constructor.name || error.name : typeof error;
  const raw = error instanceof Error ? error.message : String(error);
  return { code: code ?? name, message: withoutLiterals(raw) };
}

/**
 * Takes out what could be a value: quoted text, numbers, ids, e-mail addresses and the remainder
 * after a colon that follows no quote (PostgreSQL and V8 put the offending value there).
 */
export function withoutLiterals(message: string): string {
  const firstLine = message.split('\n', 1)[0];
  return firstLine
    .replace(/"(?:[^"\\]|\\.)*"?/g, '"?"')
    .replace(/'(?:[^'\\]|\\.)*'?/g, "'?'")
    .replace(/`[^`]*`?/g, '`?`')
    .replace(/[^\s@]+@[^\s@]+/g, '?')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '?')
    .replace(/\b0x[0-9a-f]+\b/gi, '?')
    .replace(/[-+]?\b\d+(?:[.,]\d+)*(?:e[-+]?\d+)?\b/gi, '?')
    .replace(/:\s+(?!['"`?])[^\s].*$/, ': ?')
    .slice(0, 300);
}

function errorCodeOf(error: unknown): string | undefined {
  const withCode = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = withCode?.driverError?.code ?? withCode?.code;
  return typeof code === 'string' && code.length > 0 ? code : undefined;
}

/** An open fault as the status, readiness and metrics show it. */
export interface OpenFaults {
  open: number;
  /** The event of the earliest open fault. */
  firstEventId: string | null;
}

export const NO_FAULTS: OpenFaults = { open: 0, firstEventId: null };

/** Records a fault, or again with its latest error and one more occurrence, reopening it. */
export async function recordFault(
  manager: EntityManager,
  projection: string,
  event: RecordedEvent,
  error: FaultError,
): Promise<void> {
  await manager.query(
    `INSERT INTO projection_faults (projection, event_id, stream, revision, event_type,
       ledger_position, error_code, error_message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (projection, event_id) DO UPDATE SET
       error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message,
       occurrences = projection_faults.occurrences + 1, last_seen_at = now(), resolved_at = NULL`,
    [
      projection,
      event.id,
      event.stream,
      event.revision.toString(),
      event.type,
      event.position,
      error.code,
      error.message,
    ],
  );
}

/** Marks the projection's open faults resolved, but for those on the events named. */
export async function resolveFaultsExcept(
  manager: EntityManager,
  projection: string,
  stillFaulted: readonly string[],
): Promise<number> {
  const [, affected] = (await manager.query(
    `UPDATE projection_faults SET resolved_at = now()
     WHERE projection = $1 AND resolved_at IS NULL AND NOT (event_id = ANY($2::uuid[]))`,
    [projection, stillFaulted],
  )) as [unknown, number];
  return affected;
}

/** Open faults per projection. */
export async function readOpenFaults(manager: EntityManager): Promise<Map<string, OpenFaults>> {
  const rows = (await manager.query(
    `SELECT projection, count(*)::int AS open,
       (array_agg(event_id::text ORDER BY first_seen_at, ledger_position))[1] AS first_event_id
     FROM projection_faults WHERE resolved_at IS NULL GROUP BY projection`,
  )) as { projection: string; open: number; first_event_id: string }[];
  return new Map(
    rows.map((row) => [row.projection, { open: row.open, firstEventId: row.first_event_id }]),
  );
}

/** One stored fault, as the CLI and tests read them. */
export interface ProjectionFault {
  projection: string;
  eventId: string;
  stream: string;
  revision: string;
  eventType: string;
  ledgerPosition: LedgerPosition;
  errorCode: string;
  errorMessage: string;
  occurrences: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
}

export async function listFaults(
  manager: EntityManager,
  options: { projections?: readonly string[]; open?: boolean } = {},
): Promise<ProjectionFault[]> {
  const rows = (await manager.query(
    `SELECT projection, event_id::text AS "eventId", stream, revision::text AS revision,
       event_type AS "eventType", ledger_position AS "ledgerPosition", error_code AS "errorCode",
       error_message AS "errorMessage", occurrences, first_seen_at AS "firstSeenAt",
       last_seen_at AS "lastSeenAt", resolved_at AS "resolvedAt"
     FROM projection_faults
     WHERE ($1::text[] IS NULL OR projection = ANY($1::text[]))
       AND (NOT $2::boolean OR resolved_at IS NULL)
     ORDER BY projection, first_seen_at, ledger_position`,
    [
      options.projections && options.projections.length > 0 ? options.projections : null,
      Boolean(options.open),
    ],
  )) as ProjectionFault[];
  return rows;
}
