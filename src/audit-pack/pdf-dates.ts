/**
 * How every PDF of Attest's prints a date or an instant (README: Audit packs): ISO 8601 in UTC,
 * the same text the API answers with. Never String(date) or toLocaleString(), whose form depends
 * on the runtime's locale and time zone.
 *
 * A Date is an instant, as pg hands back timestamptz columns. Calendar days (`date` columns such as
 * a deletion request's received and due days) are read as text in SQL (`received_on::text`): pg
 * turns them into a Date at local midnight, which is the day before in UTC east of Greenwich.
 */

/** Printed where a date or instant is absent. */
export const NONE = '—';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function asDate(value: Date | string): Date | null {
  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? null : date;
}

/** An instant as the API and the ledger give it: `2026-12-02T09:30:00.000Z`. */
export function isoInstant(value: Date | string | null | undefined, none = NONE): string {
  if (value === null || value === undefined || value === '') return none;
  const date = asDate(value);
  // Text that is no date at all is shown as recorded rather than hidden.
  return date ? date.toISOString() : String(value);
}

/** A calendar day, `2026-12-02`: a day as recorded, or the UTC day of an instant. */
export function isoDay(value: Date | string | null | undefined, none = NONE): string {
  if (value === null || value === undefined || value === '') return none;
  if (typeof value === 'string' && DAY.test(value)) return value;
  const date = asDate(value);
  return date ? date.toISOString().slice(0, 10) : String(value);
}
