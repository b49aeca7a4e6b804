import {
  ArgumentsHost,
  CanActivate,
  Catch,
  ExceptionFilter,
  ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  SetMetadata,
  Type,
  UseFilters,
  UseGuards,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import Tokens from '@fastify/csrf';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access.decorators';
import { TOKEN_VERIFIER } from '../auth/access.guard';
import { Forbidden, Unauthenticated } from '../auth/auth.errors';
import { READING_ROLES, type Role } from '../auth/roles';
import type { TokenVerifier } from '../auth/token-verifier';
import { DomainError, InvalidRequest } from '../ledger/ledger.errors';
import { toProblem } from '../ledger/http/problem-details.filter';
import { ConsoleRequest, apiRoles, createConsoleContext } from './console-context';
import { errorPage } from './layout';

/** The session cookie: the signed-in person's access token, read by the same verifier as the API. */
export const SESSION_COOKIE = 'attest_session';
/** The secret the CSRF tokens of this browser are made from (README, "Console"). */
export const CSRF_COOKIE = 'attest_csrf';
export const CONSOLE_COOKIE_PATH = '/console';

const CONSOLE_ROLES = 'attest:console-roles';
const CONSOLE_WRITE = 'attest:console-write';
// A form's token is good for a working day; the secret for the browser's session.
const tokens = new Tokens({ userInfo: false, validity: 24 * 3600_000 });

/** Not signed in, or the session's token no longer verifies: off to the sign-in page. */
export class ConsoleSignInRequired extends DomainError {
  readonly code = 'sign-in-required';
  readonly status = 401;

  constructor(reason: string) {
    super(`sign in to the console: ${reason}`);
  }
}

/** A write whose form token is missing or not this browser's. */
export class ConsoleFormExpired extends DomainError {
  readonly code = 'csrf-token-invalid';
  readonly status = 403;

  constructor() {
    super(
      'this form did not come from this console session, or it has expired: reload the page and try again',
    );
  }
}

/**
 * A console controller: outside the bearer-token guard (it reads the session cookie instead),
 * out of the OpenAPI document, and its errors rendered as pages. Pages are open to every reading
 * role unless @ConsoleRoles says otherwise.
 */
export const ConsoleController = () =>
  applyDecorators(
    Public(),
    ApiExcludeController(),
    UseGuards(ConsoleGuard),
    UseFilters(ConsoleErrorFilter),
  );

/** The roles that may open this page (default: every reading role). */
export const ConsoleRoles = (...roles: Role[]) => SetMetadata(CONSOLE_ROLES, roles);

/**
 * A console write: allowed to exactly the roles of the API route `controller.method` (its
 * @Allow), so the console never keeps a second copy of the role matrix.
 */
export const ConsoleWrite = (controller: Type, method: string) =>
  SetMetadata(CONSOLE_WRITE, { controller, method });

/** The API route a console write stands for (tests compare the two). */
export function consoleWriteOf(handler: object): { controller: Type; method: string } | undefined {
  return Reflect.getMetadata(CONSOLE_WRITE, handler) as
    { controller: Type; method: string } | undefined;
}

/** The secure flag: set when the browser reached Attest over https (directly or behind a proxy). */
export function cookieOptions(request: ConsoleRequest, maxAgeSeconds?: number) {
  return {
    path: CONSOLE_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: request.protocol === 'https',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** This browser's CSRF secret, made (and set as a cookie) on its first console page. */
export function csrfTokenFor(request: ConsoleRequest, reply: FastifyReply): string {
  let secret = request.cookies?.[CSRF_COOKIE];
  if (!secret) {
    secret = tokens.secretSync();
    void reply.setCookie(CSRF_COOKIE, secret, cookieOptions(request));
  }
  return tokens.create(secret);
}

/** Refuses a write whose `_csrf` field (or X-CSRF-Token header) is not this browser's token. */
export function checkCsrf(request: ConsoleRequest): void {
  const secret = request.cookies?.[CSRF_COOKIE];
  const body = request.body as Record<string, unknown> | undefined;
  const header = request.headers['x-csrf-token'];
  const token = typeof body?._csrf === 'string' ? body._csrf : header;
  if (!secret || typeof token !== 'string' || !tokens.verify(secret, token))
    throw new ConsoleFormExpired();
}

/** `YYYY-MM-DDTHH:MM[:SS]` (UTC, as the time-travel control sends it) or an ISO instant. */
export function parseAsOf(value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value);
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(
    value,
  );
  const date = local ? new Date(`${value}Z`) : instant ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new InvalidRequest('invalid asOf', {
      asOf: ['must be an instant such as 2026-07-01T09:30 (UTC) or 2026-07-01T09:30:00Z'],
    });
  return date;
}

/**
 * Every console route: the session cookie verified exactly as a bearer token is, the page's or
 * the write's roles checked, and every write's CSRF token. Sets `request.actor`, so a
 * regulator's console views are recorded in the access log as their API reads are.
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const session = request.cookies?.[SESSION_COOKIE];
    if (!session) throw new ConsoleSignInRequired('no session');
    let actor;
    try {
      actor = await this.verifier.verify(`Bearer ${session}`);
    } catch (error) {
      if (error instanceof Unauthenticated) throw new ConsoleSignInRequired(error.message);
      throw error;
    }
    request.actor = actor;
    const handler = context.getHandler();
    const write = consoleWriteOf(handler);
    const roles = write
      ? apiRoles(write.controller, write.method)
      : (this.reflector.getAllAndOverride<readonly Role[]>(CONSOLE_ROLES, [
          handler,
          context.getClass(),
        ]) ?? READING_ROLES);
    if (!actor.roles.some((role) => roles.includes(role as Role)))
      throw new Forbidden(roles, actor.roles);
    if (request.method !== 'GET' && request.method !== 'HEAD') checkCsrf(request);
    const query = request.query as Record<string, unknown> | undefined;
    request.console = createConsoleContext({
      actor,
      asOf: parseAsOf(typeof query?.asOf === 'string' ? query.asOf : undefined),
      csrfToken: csrfTokenFor(request, reply),
      url: request.url,
    });
    return true;
  }
}

/**
 * Errors on a console route as pages: no session sends the browser to sign in; anything else
 * is the API's problem (same status, same sentence) on a page.
 */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<ConsoleRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof ConsoleSignInRequired) {
      const next = request.method === 'GET' ? request.url : CONSOLE_COOKIE_PATH;
      void reply
        .status(303)
        .header('Location', `/console/sign-in?next=${encodeURIComponent(next)}`)
        .send();
      return;
    }
    const problem = toProblem(error, request);
    if (problem.status >= 500 && !(error instanceof HttpException))
      request.log.error({ err: error }, 'console page failed');
    void reply
      .status(problem.status)
      .header('Content-Type', 'text/html; charset=utf-8')
      .send(errorPage(request.console, problem).text);
  }
}
