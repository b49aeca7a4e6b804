import { DomainError } from '../ledger.errors';

/** A business rule refused the command (422); `code` names the rule. */
export class RuleViolated extends DomainError {
  readonly status = 422;

  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    Object.assign(this.details, details);
  }
}

/** The command conflicts with the current state of what it acts on (409). */
export class StateConflict extends DomainError {
  readonly status = 409;

  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    Object.assign(this.details, details);
  }
}

/** The command names something the ledger has never recorded (404). */
export class NotRecorded extends DomainError {
  readonly code = 'not-found';
  readonly status = 404;

  constructor(kind: string, id: string) {
    super(`${kind} ${id} is not recorded in the ledger`);
    Object.assign(this.details, { kind, id });
  }
}

/** The caller's identity is what a rule forbids (four eyes, stage roles): 403. */
export class ActorNotPermitted extends DomainError {
  readonly status = 403;

  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    Object.assign(this.details, details);
  }
}
