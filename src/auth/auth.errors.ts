import { DomainError } from '../ledger/ledger.errors';

/** No token, or one that does not verify: 401 with WWW-Authenticate. */
export class Unauthenticated extends DomainError {
  readonly code = 'unauthenticated';
  readonly status = 401;

  constructor(reason: string) {
    super(`a valid bearer token is required: ${reason}`);
  }
}

/** A verified caller without a role this route allows: 403. */
export class Forbidden extends DomainError {
  readonly code = 'forbidden';
  readonly status = 403;

  constructor(allowed: readonly string[], held: readonly string[]) {
    super(
      `this needs one of the roles ${allowed.join(', ')}; the token holds ${held.length ? held.join(', ') : 'none'}`,
    );
    Object.assign(this.details, { allowed, held });
  }
}

/** The identity provider's keys cannot be fetched: not the caller's fault, try again. */
export class AuthKeysUnavailable extends DomainError {
  readonly code = 'auth-keys-unavailable';
  readonly status = 503;

  constructor(reason: string) {
    super(`the keys that verify tokens cannot be fetched: ${reason}`);
  }
}
