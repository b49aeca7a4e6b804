import type { DomainEvent } from '../commands/decider';
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
