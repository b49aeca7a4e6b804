import { DomainError } from '../ledger/ledger.errors';

/**
 * The stored integrity log disagrees with what the ledger signed: a proof built from it would
 * fail against the signed checkpoint it cites, so none is handed out (README, "Integrity log").
 *
 * 500, not 503: 503 (with Retry-After) promises that asking again later helps, and nothing heals
 * a changed row until an operator runs `ledger:verify` and rebuilds the integrity projection.
 * Not a 4xx either: nothing in the request is at fault. The problem carries the stable code
 * `integrity-violation` and names what disagreed, never a stack.
 */
export class IntegrityViolation extends DomainError {
  readonly code = 'integrity-violation';
  readonly status = 500;

  constructor(what: string, details: Record<string, unknown> = {}) {
    super(
      `the stored integrity log does not match the signed ledger (${what}); no proof is handed out until it is rebuilt (run ledger:verify)`,
    );
    Object.assign(this.details, details);
  }
}
