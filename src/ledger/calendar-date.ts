const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real YYYY-MM-DD date (2026-02-30 is not): what every date-only field of the API accepts. */
export function isCalendarDate(value: unknown): value is string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (!match) return false;
  const [, year, month, day] = match.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}
