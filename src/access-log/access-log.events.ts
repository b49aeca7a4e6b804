import type { DomainEvent } from '../ledger/commands/decider';

/** A request made with a regulator's token (docs/design.md §7: every regulator read is recorded). */
export type RegulatorAccessed = DomainEvent<
  'RegulatorAccessed',
  {
    sub: string;
    roles: string[];
    method: string;
    /** The path and query as asked, e.g. /api/v1/models/credit-risk?asOf=2026-03-01. */
    url: string;
    status: number;
    accessedAt: string;
  }
>;

/** Personal data was shown to someone (docs/design.md §7), whoever they are. */
export type PersonalDataAccessed = DomainEvent<
  'PersonalDataAccessed',
  {
    sub: string;
    roles: string[];
    /** What was read: `dataset-version`, `deletion-request`, … */
    kind: string;
    /** Which ones: `name@version`, request ids, … */
    ids: string[];
    url: string;
    accessedAt: string;
  }
>;

/** Everything stored in an `access-log-<actor>` stream. */
export type AccessLogEvent = RegulatorAccessed | PersonalDataAccessed;

export const ACCESS_LOG_EVENT_TYPES = [
  'RegulatorAccessed',
  'PersonalDataAccessed',
] as const satisfies readonly AccessLogEvent['type'][];
