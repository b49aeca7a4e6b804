/** Domain errors carry a stable code; the one exception filter maps them to problem+json. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly details: Record<string, unknown> = {};

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class WrongExpectedVersion extends DomainError {
  readonly code = 'wrong-expected-version';
  readonly status = 409;

  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`stream ${stream} is at revision ${actual}, expected ${expected}`);
    Object.assign(this.details, { stream, expected, actual });
  }
}

/**
 * A stream the command's rule read has moved since (an append carrying StreamConditions): the
 * stream writer decides the command again on what is stored now.
 */
export class StreamMoved extends WrongExpectedVersion {
  constructor(stream: string, expected: string, actual: string) {
    super(stream, expected, actual);
    this.message = `stream ${stream}, read at revision ${expected} by this command's rule, is now at ${actual}`;
  }
}

/** Event ids are unique across the ledger; these are already stored, and not as this append. */
export class DuplicateEventId extends DomainError {
  readonly code = 'duplicate-event-id';
  readonly status = 409;

  constructor(
    readonly stream: string,
    readonly ids: string[],
  ) {
    super(
      `event id(s) ${ids.join(', ')} are already in the ledger, not as this append to ${stream}`,
    );
    Object.assign(this.details, { stream, ids });
  }
}

export class StreamNotFound extends DomainError {
  readonly code = 'stream-not-found';
  readonly status = 404;

  constructor(readonly stream: string) {
    super(`stream ${stream} does not exist`);
    Object.assign(this.details, { stream });
  }
}

export class StreamDeleted extends DomainError {
  readonly code = 'stream-deleted';
  readonly status = 410;

  constructor(readonly stream: string) {
    super(`stream ${stream} has been deleted`);
    Object.assign(this.details, { stream });
  }
}

/** The event cannot be stored as given (for example a string holding U+0000). */
export class UnstorableEvent extends DomainError {
  readonly code = 'unstorable-event';
  readonly status = 422;

  constructor(reason: string) {
    super(`the event cannot be stored: ${reason}`);
  }
}

export class LedgerUnavailable extends DomainError {
  readonly code = 'ledger-unavailable';
  readonly status = 503;

  constructor(reason: string) {
    super(`the ledger is unavailable: ${reason}`);
  }
}

export class ProjectionsBehind extends DomainError {
  readonly code = 'projections-behind';
  readonly status = 503;

  constructor(
    readonly position: string,
    readonly waitedMs: number,
  ) {
    super(`read models have not reached ledger position ${position} after ${waitedMs} ms`);
    Object.assign(this.details, { position, retryAfterSeconds: 1 });
  }
}

export class InvalidRequest extends DomainError {
  readonly code = 'invalid-request';
  readonly status = 400;

  constructor(
    message: string,
    readonly fields: Record<string, string[]>,
  ) {
    super(message);
    Object.assign(this.details, { errors: fields });
  }
}
