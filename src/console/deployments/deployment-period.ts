import { InvalidRequest } from '../../ledger/ledger.errors';

/**
 * The period a deployment page shows (README, "Console"): a preset (last 24 hours, 7 days,
 * 30 days, all) or whole UTC days from `from` to `to`, cut into hour or day buckets, and never
 * past the time-travel instant.
 */
export const PRESETS = [
  { key: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { key: 'all', label: 'All', ms: null },
] as const;

export type PresetKey = (typeof PRESETS)[number]['key'];
export type Bucket = 'hour' | 'day';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The monitoring view holds at most this many buckets (docs: GET /monitoring/deployments/{id}). */
export const MAX_DAYS = 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface PeriodRequest {
  preset: PresetKey | 'custom';
  /** The dates as typed (custom), to put back in the form. */
  fromDate: string;
  toDate: string;
}

export interface Period extends PeriodRequest {
  from: Date;
  to: Date;
  bucket: Bucket;
  /** Set when "all" reached further back than the view can show. */
  truncated: boolean;
  /** Set while time travelling: the charts end here. */
  cutAt?: Date;
}

function dateOf(field: 'from' | 'to', value: string): number {
  const time = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  // Date.parse rolls 2026-02-31 over to March: a date must read back as typed.
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value)
    throw new InvalidRequest(`invalid ${field}`, {
      [field]: ['must be a date such as 2026-11-01 (YYYY-MM-DD, UTC)'],
    });
  return time;
}

/** Reads `period`, `from` and `to` from the page's query; a bad one is 400 naming the field. */
export function periodRequest(query: URLSearchParams): PeriodRequest {
  const fromDate = (query.get('from') ?? '').trim();
  const toDate = (query.get('to') ?? '').trim();
  const named = query.get('period') ?? '';
  if (fromDate) dateOf('from', fromDate);
  if (toDate) dateOf('to', toDate);
  if (named && named !== 'custom' && !PRESETS.some((p) => p.key === named))
    throw new InvalidRequest('invalid period', {
      period: [`must be one of ${PRESETS.map((p) => p.key).join(', ')} or custom`],
    });
  const custom = named === 'custom' || (!named && Boolean(fromDate || toDate));
  return {
    preset: custom ? 'custom' : ((named || '30d') as PresetKey),
    fromDate: custom ? fromDate : '',
    toDate: custom ? toDate : '',
  };
}

/**
 * The instants and bucket of a period ending at `end` (now, or the time-travel instant).
 * `earliest`: where "all" starts (the deployment's first rollout or first recorded window).
 */
export function resolvePeriod(
  request: PeriodRequest,
  end: Date,
  asOf: Date | undefined,
  earliest: Date | null,
): Period {
  let from: number;
  let to = end.getTime();
  let truncated = false;
  if (request.preset === 'custom') {
    if (request.toDate) to = Math.min(to, dateOf('to', request.toDate) + DAY);
    from = request.fromDate ? dateOf('from', request.fromDate) : to - 30 * DAY;
  } else if (request.preset === 'all') {
    from = earliest ? Math.min(earliest.getTime(), to - DAY) : to - 30 * DAY;
    if (to - from > (MAX_DAYS - 1) * DAY) {
      from = to - (MAX_DAYS - 1) * DAY;
      truncated = true;
    }
  } else {
    from = to - (PRESETS.find((p) => p.key === request.preset)?.ms ?? 30 * DAY);
  }
  const bucket: Bucket = to - from <= 3 * DAY ? 'hour' : 'day';
  const size = bucket === 'hour' ? HOUR : DAY;
  // Time travel: whole buckets before the instant only, so nothing after it is counted.
  if (asOf) to = Math.floor(to / size) * size;
  if (from > to) from = to;
  return {
    ...request,
    from: new Date(from),
    to: new Date(to),
    bucket,
    truncated,
    ...(asOf ? { cutAt: new Date(to) } : {}),
  };
}
