import type { DomainEvent } from '../commands/decider';
import type { RecordedEvent } from '../event-log.port';
import type { Recorded } from './projection';

/*
 * Small helpers for set-based page handlers (README, "Projections"): a run of events becomes a
 * few statements that read their rows from one JSON parameter (`jsonb_to_recordset($1::jsonb)`),
 * instead of a statement per event.
 */

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

/**
 * Splits a run into waves in which each key appears at most once, each key's items in their
 * order, so one `UPDATE … FROM recordset` per wave does what a statement per event did: an
 * event's statement only touches the row of its key, and each row sees its events in order.
 */
export function waves<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const seen = new Map<string, number>();
  const result: T[][] = [];
  for (const item of items) {
    const key = keyOf(item);
    const wave = seen.get(key) ?? 0;
    seen.set(key, wave + 1);
    (result[wave] ??= []).push(item);
  }
  return result;
}

/** The first item of each key, in order: what `INSERT … ON CONFLICT DO NOTHING` keeps per event. */
export function firstPerKey<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A key of several parts (names may hold any character). */
export const keyOf = (...parts: readonly string[]): string => JSON.stringify(parts);
