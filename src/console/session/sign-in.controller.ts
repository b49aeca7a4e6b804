import {
  Body,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../auth/access.decorators';
import { DevIssuer } from '../../auth/dev-issuer';
import { READING_ROLES, isRole } from '../../auth/roles';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import {
  CONSOLE_COOKIE_PATH,
  SESSION_COOKIE,
  checkCsrf,
  cookieOptions,
  csrfTokenFor,
} from '../console-access';
import type { ConsoleRequest } from '../console-context';
import { html } from '../html';
import { notice, page } from '../layout';

/** Where a signed-in browser goes: a console path only, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console(\/|\?|$)/.test(next) && !next.startsWith('//')
    ? next
    : CONSOLE_COOKIE_PATH;
}

const SUBJECT = /^[A-Za-z0-9._@-]{1,64}$/;

/** The roles offered on the dev sign-in page, with what each is for. */
const ROLE_LABELS: Record<(typeof READING_ROLES)[number], string> = {
  pipeline: 'pipeline (automation)',
  'data-scientist': 'data scientist',
  'risk-manager': 'risk manager',
  'compliance-officer': 'compliance officer',
  regulator: 'regulator (reads only)',
  admin: 'admin',
};

/**
 * Signing in to the console (README, "Console"). With the built-in dev issuer, a clearly
 * labelled page where anyone picks a name and roles; with an identity provider, OpenID Connect.
 * Signing out clears the session cookie.
 */
@Public()
@ApiExcludeController()
@Controller('console')
export class SignInController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DevIssuer) private readonly devIssuer: DevIssuer | null,
  ) {}

  /** The dev sign-in page exists only while the dev issuer signs tokens and no IdP is set. */
  private get devSignIn(): DevIssuer | undefined {
    return !this.config.console.oidc && this.devIssuer ? this.devIssuer : undefined;
  }

  @Get('sign-in')
  signInPage(
    @Req() request: ConsoleRequest,
    @Res() reply: FastifyReply,
    @Query('next') next?: string,
  ): void {
    if (!this.devSignIn) {
      void reply
        .status(503)
        .type('text/html; charset=utf-8')
        .send(
          page(undefined, {
            title: 'Sign in',
            body: notice(
              'error',
              'Console sign-in is not configured: this service verifies tokens from an identity provider, so its operator sets CONSOLE_OIDC_ISSUER, CONSOLE_OIDC_CLIENT_ID and CONSOLE_PUBLIC_URL (README, "Console").',
            ),
          }).text,
        );
      return;
    }
    void reply.type('text/html; charset=utf-8').send(this.devPage(request, reply, next).text);
  }

  @Post('sign-in')
  async signIn(
    @Req() request: ConsoleRequest,
    @Res() reply: FastifyReply,
    @Body() body: Record<string, unknown>,
  ): Promise<void> {
    const issuer = this.devSignIn;
    if (!issuer) throw new NotFoundException();
    checkCsrf(request);
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    const picked = ([] as unknown[]).concat(body?.roles ?? []);
    const roles = picked.filter(isRole).filter((role) => role !== 'scoring');
    const errors: string[] = [];
    if (!SUBJECT.test(name))
      errors.push('Name: 1 to 64 letters, digits and . _ @ - (it becomes the token’s subject).');
    if (roles.length === 0 || roles.length !== picked.length)
      errors.push('Roles: pick at least one of the roles listed.');
    if (errors.length > 0) {
      void reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(this.devPage(request, reply, body?.next, errors).text);
      return;
    }
    const hours = this.config.console.sessionHours;
    const token = await issuer.sign({ sub: name, roles }, `${hours}h`);
    void reply
      .setCookie(SESSION_COOKIE, token, cookieOptions(request, hours * 3600))
      .status(303)
      .header('Location', safeNext(body?.next))
      .send();
  }

  @Post('sign-out')
  signOut(@Req() request: ConsoleRequest, @Res() reply: FastifyReply): void {
    checkCsrf(request);
    void reply
      .clearCookie(SESSION_COOKIE, cookieOptions(request))
      .status(303)
      .header('Location', '/console/sign-in')
      .send();
  }

  private devPage(
    request: ConsoleRequest,
    reply: FastifyReply,
    next: unknown,
    errors: string[] = [],
  ) {
    const csrf = csrfTokenFor(request, reply);
    return page(undefined, {
      title: 'Development sign-in',
      body: html`${notice(
          'warning',
          html`<strong>Development sign-in.</strong> This service signs its own tokens (the built-in
            dev issuer), so anyone reaching it can pick any name and roles. Configure an identity
            provider before real use (README, "Console").`,
        )}
        ${
          errors.length
            ? notice(
                'error',
                html`<ul>
                  ${errors.map((e) => html`<li>${e}</li>`)}
                </ul>`,
              )
            : ''
        }
        <form method="post" action="/console/sign-in" class="stack" data-session>
          <input type="hidden" name="_csrf" value="${csrf}" />
          <input type="hidden" name="next" value="${safeNext(next)}" />
          <label for="name">Name</label>
          <input
            id="name"
            name="name"
            required
            pattern="[A-Za-z0-9._@\\-]{1,64}"
            autocomplete="username"
          />
          <fieldset>
            <legend>Roles</legend>
            ${READING_ROLES.map(
              (role) =>
                html`<label class="check"
                  ><input type="checkbox" name="roles" value="${role}" />
                  ${ROLE_LABELS[role]}</label
                >`,
            )}
          </fieldset>
          <button type="submit">Sign in</button>
        </form>`,
    });
  }
}
