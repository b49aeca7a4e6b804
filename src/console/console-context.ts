import { ExecutionContext, Type, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ALLOWED_ROLES } from '../auth/access.decorators';
import type { Role } from '../auth/roles';
import type { Actor } from '../ledger/event-log.port';

/**
 * What every console page knows about its request (README, "Console"): who is signed in, whether
 * the page shows the ledger as it stood at an instant (time travel), and the form token writes
 * must carry.
 */
export interface ConsoleContext {
  readonly actor: Actor;
  /** Set: every page shows the ledger as it stood at this instant, and offers no write. */
  readonly asOf?: Date;
  /** The CSRF token every console form posts back as `_csrf`. */
  readonly csrfToken: string;
  /** The request's path, without its query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /**
   * Whether this person may use the API route `controller.method` now: the route's own roles
   * (docs/design.md §7), and never while time travelling. The server checks again on submit.
   */
  may(controller: Type, method: string): boolean;
  /** A console link that keeps the time-travel instant. */
  href(path: string, params?: Record<string, string | number | undefined>): string;
}

export type ConsoleRequest = FastifyRequest & { actor?: Actor; console?: ConsoleContext };

/** The roles the API route `controller.method` allows (its @Allow), the console's only rule. */
export function apiRoles(controller: Type, method: string): readonly Role[] {
  const handler = (controller.prototype as Record<string, unknown>)[method];
  if (typeof handler !== 'function')
    throw new Error(`${controller.name}.${method} is not an API route`);
  return (Reflect.getMetadata(ALLOWED_ROLES, handler) ??
    Reflect.getMetadata(ALLOWED_ROLES, controller) ??
    []) as readonly Role[];
}

export function createConsoleContext(input: {
  actor: Actor;
  asOf?: Date;
  csrfToken: string;
  url: string;
}): ConsoleContext {
  const [path, search = ''] = input.url.split('?', 2);
  const query = new URLSearchParams(search);
  const asOf = input.asOf;
  return {
    actor: input.actor,
    asOf,
    csrfToken: input.csrfToken,
    path,
    query,
    may: (controller, method) =>
      !asOf && apiRoles(controller, method).some((role) => input.actor.roles.includes(role)),
    href: (target, params = {}) => {
      const [targetPath, targetSearch = ''] = target.split('?', 2);
      const search = new URLSearchParams(targetSearch);
      for (const [key, value] of Object.entries(params))
        if (value !== undefined && value !== '') search.set(key, String(value));
      if (asOf && !search.has('asOf')) search.set('asOf', asOf.toISOString());
      const text = search.toString();
      return text ? `${targetPath}?${text}` : targetPath;
    },
  };
}

/** The page's context, as the console guard built it. */
export const Console = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ConsoleContext => {
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    if (!request.console) throw new Error('the console guard did not run on this route');
    return request.console;
  },
);
