import { InvalidRequest } from '../../ledger/ledger.errors';
import { periodRequest, resolvePeriod } from './deployment-period';

const query = (text: string) => new URLSearchParams(text);
const NOW = new Date('2026-11-20T10:30:00.000Z');

describe('deployment page period', () => {
  it('defaults to the last 30 days in day buckets, ending now', () => {
    const period = resolvePeriod(periodRequest(query('')), NOW, undefined, null);
    expect(period).toMatchObject({ preset: '30d', bucket: 'day', truncated: false });
    expect(period.from.toISOString()).toBe('2026-10-21T10:30:00.000Z');
    expect(period.to).toEqual(NOW);
    expect(period.cutAt).toBeUndefined();
  });

  it('cuts the last 24 hours into hours, and whole dates from one day to the next', () => {
    expect(resolvePeriod(periodRequest(query('period=24h')), NOW, undefined, null).bucket).toBe(
      'hour',
    );
    const days = resolvePeriod(
      periodRequest(query('from=2026-11-01&to=2026-11-03')),
      NOW,
      undefined,
      null,
    );
    expect(days).toMatchObject({ preset: 'custom', bucket: 'hour' });
    expect([days.from.toISOString(), days.to.toISOString()]).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-11-04T00:00:00.000Z',
    ]);
  });

  it('starts "all" at the earliest fact, at most 1000 days back', () => {
    const earliest = new Date('2026-01-01T00:00:00.000Z');
    const all = resolvePeriod(periodRequest(query('period=all')), NOW, undefined, earliest);
    expect(all.from).toEqual(earliest);
    const long = resolvePeriod(
      periodRequest(query('period=all')),
      NOW,
      undefined,
      new Date('2020-01-01T00:00:00.000Z'),
    );
    expect(long.truncated).toBe(true);
    expect((long.to.getTime() - long.from.getTime()) / 86_400_000).toBe(999);
  });

  it('ends at the start of the bucket holding the time-travel instant', () => {
    const day = resolvePeriod(periodRequest(query('')), NOW, NOW, null);
    expect(day.cutAt?.toISOString()).toBe('2026-11-20T00:00:00.000Z');
    const hour = resolvePeriod(periodRequest(query('period=24h')), NOW, NOW, null);
    expect(hour.cutAt?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
  });

  it.each([
    ['from=2026-02-31', 'from'],
    ['to=20-11-2026', 'to'],
    ['period=forever', 'period'],
  ])('refuses %s naming %s', (text, field) => {
    let error: unknown;
    try {
      periodRequest(query(text));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequest);
    expect(Object.keys((error as InvalidRequest).fields)).toEqual([field]);
  });
});
