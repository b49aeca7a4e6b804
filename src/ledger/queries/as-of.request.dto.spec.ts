import { isInstant } from './as-of.request.dto';

describe('asOf instants', () => {
  it.each(['2026-03-01T00:00:00Z', '2026-03-01T00:00:00.123Z', '2026-03-01T10:00:00+10:00'])(
    'accepts %s',
    (value) => expect(isInstant(value)).toBe(true),
  );

  it.each([
    '',
    'yesterday',
    '2026-03-01',
    '2026-03-01T00:00:00',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-03-01 00:00:00Z',
    '2026-03-01T00:00Z',
    '2026-03-01T00:00:00z',
    1772323200000,
  ])('refuses %s', (value) => expect(isInstant(value)).toBe(false));
});
