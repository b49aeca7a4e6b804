import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Actor } from '../ledger/event-log.port';
import { READING_ROLES, type Role } from './roles';

export const ALLOWED_ROLES = 'attest:allowed-roles';
export const PUBLIC_ROUTE = 'attest:public-route';

/** The roles that may call this route (docs/design.md §7); anyone else gets 403. */
export const Allow = (...roles: Role[]) => SetMetadata(ALLOWED_ROLES, roles);

/**
 * Every role that reads may read (reports, ledger, proofs: R for all in docs/design.md §7); the
 * `scoring` role asks for decisions and nothing else.
 */
export const AllowEveryRole = () => SetMetadata(ALLOWED_ROLES, READING_ROLES);

/** No token needed: probes, metrics. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The verified caller, as the guard attached it to the request. */
export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Actor =>
    context.switchToHttp().getRequest<{ actor: Actor }>().actor,
);
