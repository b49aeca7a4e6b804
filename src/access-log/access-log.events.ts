import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';

/** A request made with a regulator's token (docs/design.md §7: every regulator read is recorded). */
export const RegulatorAccessedEvent = defineEvent({
  type: 'RegulatorAccessed',
  schema: z.object({
    sub: z.string(),
    roles: z.array(z.string()),
    method: z.string(),
    /** The path and query as asked, e.g. /api/v1/models/credit-risk?asOf=2026-03-01. */
    url: z.string(),
    status: z.number(),
    accessedAt: z.string(),
  }),
});
export type RegulatorAccessed = EventOf<typeof RegulatorAccessedEvent>;

/** Personal data was shown to someone (docs/design.md §7), whoever they are. */
export const PersonalDataAccessedEvent = defineEvent({
  type: 'PersonalDataAccessed',
  schema: z.object({
    sub: z.string(),
    roles: z.array(z.string()),
    /** What was read: `dataset-version`, `deletion-request`, … */
    kind: z.string(),
    /** Which ones: `name@version`, request ids, … */
    ids: z.array(z.string()),
    url: z.string(),
    accessedAt: z.string(),
  }),
});
export type PersonalDataAccessed = EventOf<typeof PersonalDataAccessedEvent>;

/** Everything stored in an `access-log-<actor>` stream. */
export type AccessLogEvent = RegulatorAccessed | PersonalDataAccessed;

export const ACCESS_LOG_EVENT_TYPES = [
  'RegulatorAccessed',
  'PersonalDataAccessed',
] as const satisfies readonly AccessLogEvent['type'][];
