import { isCalendarDate } from '../../../ledger/calendar-date';
import { admTransparencyInForce, reportingPeriod, reportingPeriodAsOf } from './reporting-period';

const today = new Date('2026-04-15T22:30:00Z');

describe('the reporting period', () => {
  it('defaults to the last 12 months up to today (UTC)', () => {
    expect(reportingPeriod({}, today)).toEqual({
      period: {
        from: '2025-04-16',
        to: '2026-04-15',
        start: '2025-04-16T00:00:00.000Z',
        end: '2026-04-16T00:00:00.000Z',
      },
    });
  });

  it('counts twelve months back from a given to', () => {
    expect(reportingPeriod({ to: '2026-02-28' }, today)).toMatchObject({
      period: { from: '2025-03-01', to: '2026-02-28' },
    });
  });

  it('takes both ends as given, inclusive', () => {
    expect(reportingPeriod({ from: '2026-03-01', to: '2026-03-01' }, today)).toEqual({
      period: {
        from: '2026-03-01',
        to: '2026-03-01',
        start: '2026-03-01T00:00:00.000Z',
        end: '2026-03-02T00:00:00.000Z',
      },
    });
  });

  it('refuses from after to, naming from', () => {
    expect(reportingPeriod({ from: '2026-05-01', to: '2026-04-30' }, today)).toEqual({
      errors: { from: [expect.stringContaining('must not be after')] },
    });
  });

  it('knows when APP 1.7–1.9 came into force', () => {
    expect(admTransparencyInForce('2026-12-09')).toBe(false);
    expect(admTransparencyInForce('2026-12-10')).toBe(true);
  });

  it('accepts calendar dates only', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-2-3')).toBe(false);
    expect(isCalendarDate('2026-02-28T00:00:00Z')).toBe(false);
  });

  it('as of an instant: to defaults to its day and the period ends at the instant', () => {
    const asOf = new Date('2026-03-10T08:15:00Z');
    expect(reportingPeriodAsOf({}, asOf)).toEqual({
      period: {
        from: '2025-03-11',
        to: '2026-03-10',
        start: '2025-03-11T00:00:00.000Z',
        end: '2026-03-10T08:15:00.000Z',
      },
    });
    // A period over before the instant is as it was; a from after to is still refused.
    expect(reportingPeriodAsOf({ from: '2026-01-01', to: '2026-01-31' }, asOf)).toEqual(
      reportingPeriod({ from: '2026-01-01', to: '2026-01-31' }, asOf),
    );
    expect(reportingPeriodAsOf({ from: '2026-04-01' }, asOf)).toEqual({
      errors: { from: ['from (2026-04-01) must not be after to (2026-03-10)'] },
    });
  });
});
