/**
 * Small helpers for set-based page handlers (README, "Projections"): a run of events becomes a
 * few statements that read their rows from one JSON parameter (`jsonb_to_recordset($1::jsonb)`),
 * instead of a statement per event.
 */

/** Rows for `jsonb_to_recordset($1::jsonb) AS r(column type, …)`: keys are the column names. */
export function recordset(rows: readonly object[]): string {
  return JSON.stringify(rows);
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
