import type { z } from 'zod';
import { DomainError } from '../ledger.errors';

/**
 * An event's data does not match its type's schema (README, "Event schemas"). On append this is a
 * programming error (a decider produced what its event type does not declare), so nothing is
 * stored and the answer is a 500 problem that names the event type and the fields at fault; on
 * read it is a stored event no upcast brings to the current shape. The message and details name
 * paths and what was expected there, never a value, so no personal data leaves through them.
 */
export class EventSchemaMismatch extends DomainError {
  readonly code = 'event-schema-mismatch';
  readonly status = 500;

  constructor(
    readonly eventType: string,
    readonly schemaVersion: number,
    readonly fields: Record<string, string[]>,
    when: 'append' | 'read',
  ) {
    super(
      `${eventType} (schema version ${schemaVersion}) does not match its schema on ${when}: ` +
        Object.entries(fields)
          .map(([path, problems]) => `${path} ${problems.join(', ')}`)
          .join('; '),
    );
    Object.assign(this.details, { eventType, schemaVersion, errors: fields });
  }
}

/** A stored event whose schema version the code cannot bring to the current one. */
export class EventVersionUnreadable extends DomainError {
  readonly code = 'event-version-unreadable';
  readonly status = 500;

  constructor(
    readonly eventType: string,
    readonly recordedVersion: unknown,
    readonly currentVersion: number,
    reason: string,
  ) {
    super(
      `${eventType} recorded at schema version ${String(recordedVersion)} cannot be read as version ${currentVersion}: ${reason}`,
    );
    Object.assign(this.details, {
      eventType,
      recordedVersion: String(recordedVersion),
      currentVersion,
    });
  }
}

/** Each issue as `data.<path>` → what was expected there; zod's own messages are not used, since some quote the value. */
export function issueFields(issues: readonly z.core.$ZodIssue[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of issues) {
    const path = ['data', ...issue.path.map(String)].join('.');
    (fields[path] ??= []).push(describe(issue));
  }
  return fields;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_union':
      return 'matches none of the allowed shapes';
    case 'too_small':
      return `too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `too big (maximum ${String(issue.maximum)})`;
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'unrecognized_keys':
      return `has unexpected keys ${issue.keys.join(', ')}`;
    default:
      return issue.code.replace(/_/g, ' ');
  }
}
