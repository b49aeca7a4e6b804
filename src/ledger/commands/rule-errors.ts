import { DomainError } from '../ledger.errors';

/** A rule's refusal: a stable `code` naming the rule, a message, and details for the problem body. */
abstract class RuleRefusal extends DomainError {
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    Object.assign(this.details, details);
  }
}

/** A business rule refused the command (422). */
export class RuleViolated extends RuleRefusal {
  readonly status = 422;
}

/** The command conflicts with the current state of what it acts on (409). */
export class StateConflict extends RuleRefusal {
  readonly status = 409;
}

/** The caller's identity is what a rule forbids (four eyes, stage roles): 403. */
export class ActorNotPermitted extends RuleRefusal {
  readonly status = 403;
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
