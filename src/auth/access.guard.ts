import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../ledger/event-log.port';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './access.decorators';
import { Forbidden } from './auth.errors';
import type { Role } from './roles';
import { TokenVerifier } from './token-verifier';

export const TOKEN_VERIFIER = Symbol('TokenVerifier');

/**
 * Runs on every route: verifies the bearer token and checks the route's roles. A route that
 * names no roles and is not public is refused, so forgetting @Allow fails closed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    const actor = await this.verifier.verify(request.headers.authorization);
    request.actor = actor;
    const allowed = this.reflector.getAllAndOverride<readonly Role[]>(ALLOWED_ROLES, targets) ?? [];
    if (!actor.roles.some((role) => allowed.includes(role as Role)))
      throw new Forbidden(allowed, actor.roles);
    return true;
  }
}
