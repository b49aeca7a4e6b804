/** APP 1.7–1.9 (automated decision-making transparency) apply from this date (Privacy Act 1988). */
export const ADM_TRANSPARENCY_IN_FORCE_FROM = '2026-12-10';

const DAY_MS = 86_400_000;

/** A reporting period of whole UTC days: [start, end) as instants, `from`/`to` as given dates. */
export type ReportingPeriod = {
  from: string;
  to: string;
  /** `from` at 00:00Z. */
  start: string;
  /** The day after `to` at 00:00Z: the period includes all of `to`. */
  end: string;
};

export type PeriodResult = { period: ReportingPeriod } | { errors: Record<string, string[]> };

/**
 * The period asked for: `to` defaults to today (UTC, by the injected clock), `from` to twelve
 * months before `to` plus one day, so the default covers the last 12 months exactly.
 */
export function reportingPeriod(asked: { from?: string; to?: string }, today: Date): PeriodResult {
  const to = asked.to ?? today.toISOString().slice(0, 10);
  const from = asked.from ?? twelveMonthsBefore(to);
  if (from > to) return { errors: { from: [`from (${from}) must not be after to (${to})`] } };
  return {
    period: {
      from,
      to,
      start: `${from}T00:00:00.000Z`,
      end: new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY_MS).toISOString(),
    },
  };
}

/** Whether APP 1.7–1.9 were in force on the period's last day. */
export function admTransparencyInForce(to: string): boolean {
  return to >= ADM_TRANSPARENCY_IN_FORCE_FROM;
}

function twelveMonthsBefore(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  // Day overflow (29 Feb in a common year) rolls into March, as Date.UTC does.
  const back = new Date(Date.UTC(year - 1, month - 1, day) + DAY_MS);
  return back.toISOString().slice(0, 10);
}

/**
 * The period as the ledger stood at an instant (the console's time travel, README "Console"):
 * `to` defaults to the instant's day, and the period ends at the instant when it falls inside,
 * so every fact the register reads "as recorded before the end" is one recorded by then.
 */
export function reportingPeriodAsOf(
  asked: { from?: string; to?: string },
  asOf: Date,
): PeriodResult {
  const resolved = reportingPeriod(asked, asOf);
  if ('errors' in resolved) return resolved;
  const at = asOf.toISOString();
  return at < resolved.period.end ? { period: { ...resolved.period, end: at } } : resolved;
}
