import type { DomainEvent } from '../commands/decider';
import type { RecordedEvent } from '../event-log.port';
import type { Recorded } from './projection';

/**
 * A recorded event of any one of E's types, as a union discriminated by `type` (unlike
 * `Recorded<E>`, whose type and data are each a union): what a handler shared by several event
 * types folds, so a `switch` or a function over E (an evolve, say) takes it as E.
 */
export type RecordedOf<E extends DomainEvent> = E extends DomainEvent ? Recorded<E> : never;

/**
 * The newest of a run's events per key (the last in ledger order), in the order of their first
 * appearance. A run that sets the same columns of one row several times sets them as its newest
 * event does, and one `UPDATE … FROM` or `INSERT … ON CONFLICT DO UPDATE` must name a row once.
 */
export function newestBy<T>(events: readonly T[], key: (event: T) => string): T[] {
  const newest = new Map<string, T>();
  for (const event of events) newest.set(key(event), event);
  return [...newest.values()];
}

/**
 * Rows for `jsonb_to_recordset($n::jsonb) AS r(column type, …)`: one parameter, however many rows
 * (no limit on bind parameters), typed by the column list. A bigint (a stream revision) goes as
 * its decimal string.
 */
export function recordset(rows: readonly object[]): string {
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

/**
 * The first event of a page per value of one string field of its data (the aggregate it is
 * about, say), in ledger order: what a page-wide fold reads once, before its runs.
 */
export function firstByField(
  events: readonly RecordedEvent[],
  field: string,
): Map<string, RecordedEvent> {
  const first = new Map<string, RecordedEvent>();
  for (const event of events) {
    const value = event.data[field];
    if (typeof value === 'string' && !first.has(value)) first.set(value, event);
  }
  return first;
}
