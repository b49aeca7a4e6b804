import { canonicalJson } from '../canonical-json';

/** One recorded fact a repeated registration states otherwise, at its path (`schema.0.personal`). */
export type FactDifference = { field: string; registered: unknown; given: unknown };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every leaf where `given` states other facts than `registered`: objects member by member, arrays
 * item by item (an item only one side has is named with `null` on the other). An absent member
 * counts as null, so `{}` and `{ a: null }` state the same.
 */
export function factDifferences(registered: unknown, given: unknown, field = ''): FactDifference[] {
  const at = (key: string | number) => (field ? `${field}.${key}` : String(key));
  if (isRecord(registered) && isRecord(given)) {
    const keys = [...new Set([...Object.keys(registered), ...Object.keys(given)])].sort();
    return keys.flatMap((key) => factDifferences(registered[key], given[key], at(key)));
  }
  if (Array.isArray(registered) && Array.isArray(given)) {
    const length = Math.max(registered.length, given.length);
    return Array.from({ length }, (_, index) =>
      factDifferences(registered[index] ?? null, given[index] ?? null, at(index)),
    ).flat();
  }
  const before = registered ?? null;
  const after = given ?? null;
  return canonicalJson(before) === canonicalJson(after)
    ? []
    : [{ field: field || 'value', registered: before, given: after }];
}

/** The problem body's `errors`: each differing field with the registered and the given value. */
export function differenceErrors(differences: readonly FactDifference[]): Record<string, string[]> {
  const shown = (value: unknown) => {
    const text = JSON.stringify(value);
    return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  };
  return Object.fromEntries(
    differences.map(({ field, registered, given }) => [
      field,
      [`registered ${shown(registered)}, given ${shown(given)}`],
    ]),
  );
}
