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
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { decodeJwt } from 'jose';
import { Public } from '../../auth/access.decorators';
import { TOKEN_VERIFIER } from '../../auth/access.guard';
import { AuthKeysUnavailable, Unauthenticated } from '../../auth/auth.errors';
import { DevIssuer } from '../../auth/dev-issuer';
import { READING_ROLES, isRole } from '../../auth/roles';
import type { TokenVerifier } from '../../auth/token-verifier';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CONSOLE_SCRIPTS } from '../assets/assets.controller';
import {
  CONSOLE_COOKIE_PATH,
  ConsoleErrorFilter,
  SESSION_COOKIE,
  checkCsrf,
  cookieOptions,
  csrfTokenFor,
} from '../console-access';
import type { ConsoleRequest } from '../console-context';
import { html } from '../html';
import { notice, page } from '../layout';
import { ConsoleSignInFailed, OidcClient, SignInTransaction, TRANSACTION_MS } from './oidc-client';

/**
 * A sign-in under way (PKCE verifier, state, nonce, next), sent back only to the callback: one
 * cookie per sign-in, named after its state, so sign-ins started in several tabs each finish.
 */
export const TRANSACTION_COOKIE = 'attest_oidc_';
const transactionCookie = (state: string) => `${TRANSACTION_COOKIE}${state.slice(0, 16)}`;
/** The provider's ID token, sent back only on sign-out (the provider's id_token_hint). */
export const ID_TOKEN_COOKIE = 'attest_id_token';
const CALLBACK_PATH = '/console/callback';
const SIGN_OUT_PATH = '/console/sign-out';
/** A browser keeps cookies of at most about 4 KB; a longer token cannot be a session. */
const MAX_TOKEN_LENGTH = 3800;

/**
 * The interstitial pages' onward navigation. A session cookie set on the provider's cross-site
 * redirect is SameSite=Strict, so a redirect in that same chain would arrive without it; a
 * navigation this page starts is same-site and carries it (README, "Console").
 */
CONSOLE_SCRIPTS.set(
  'continue.js',
  () =>
    "var a = document.querySelector('a[data-continue]'); if (a) window.location.replace(a.href);\n",
);

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
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class SignInController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DevIssuer) private readonly devIssuer: DevIssuer | null,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly oidc: OidcClient,
  ) {}

  /** The dev sign-in page exists only while the dev issuer signs tokens and no IdP is set. */
  private get devSignIn(): DevIssuer | undefined {
    return !this.config.console.oidc && this.devIssuer ? this.devIssuer : undefined;
  }

  @Get('sign-in')
  async signInPage(
    @Req() request: ConsoleRequest,
    @Res() reply: FastifyReply,
    @Query('next') next?: string,
  ): Promise<void> {
    if (this.oidc.settings) {
      const { url, transaction } = await this.oidc.start(safeNext(next));
      void reply
        .setCookie(transactionCookie(transaction.state), encodeTransaction(transaction), {
          ...cookieOptions(request, TRANSACTION_MS / 1000),
          path: CALLBACK_PATH,
          // The provider sends the browser back with a cross-site top-level GET.
          sameSite: 'lax',
        })
        .status(303)
        .header('Location', url)
        .send();
      return;
    }
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

  /**
   * The provider's answer: the code exchanged, the ID token verified, and the access token kept
   * as the session only when the API itself would accept it (same verifier, same roles).
   */
  @Get('callback')
  async callback(
    @Req() request: ConsoleRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    if (!this.oidc.settings) throw new NotFoundException();
    // This answer's sign-in; else any other under way here (refused: its state differs).
    const started = Object.entries(request.cookies ?? {}).filter(
      ([name, value]) => name.startsWith(TRANSACTION_COOKIE) && value,
    );
    const state = typeof query?.state === 'string' ? query.state : '';
    const [name, cookie] = started.find(([n]) => n === transactionCookie(state)) ??
      started[0] ?? [undefined, undefined];
    const transaction = decodeTransaction(cookie);
    const signedIn = await this.oidc.finish(query ?? {}, transaction);
    // The sign-in is used up, whatever the access token turns out to be.
    void reply.clearCookie(name!, { ...cookieOptions(request), path: CALLBACK_PATH });
    const token = signedIn.accessToken;
    if (token.length > MAX_TOKEN_LENGTH)
      throw new ConsoleSignInFailed(
        502,
        'access-token-too-long',
        `the identity provider’s access token is ${token.length} characters long, too long for a browser to keep as a cookie (at most ${MAX_TOKEN_LENGTH})`,
      );
    let actor;
    try {
      actor = await this.verifier.verify(`Bearer ${token}`);
    } catch (error) {
      if (error instanceof AuthKeysUnavailable) throw error;
      if (error instanceof Unauthenticated)
        throw new ConsoleSignInFailed(
          403,
          'access-token-refused',
          `the identity provider signed you in, but its access token is not one this service accepts (${error.message.replace(/^a valid bearer token is required: /, '')}); AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE must describe the tokens it issues to the console’s client (README, "Console")`,
        );
      throw error;
    }
    if (!actor.roles.some((role) => (READING_ROLES as readonly string[]).includes(role)))
      throw new ConsoleSignInFailed(
        403,
        'no-console-role',
        `you are signed in as ${actor.sub}, but your access token holds none of the roles that open the console (${READING_ROLES.join(', ')})`,
      );
    const expires = decodeJwt(token).exp as number;
    const seconds = Math.max(1, Math.floor(expires - Date.now() / 1000));
    const next = transaction!.next;
    void reply
      .setCookie(SESSION_COOKIE, token, cookieOptions(request, seconds))
      .setCookie(ID_TOKEN_COOKIE, signedIn.idToken, {
        ...cookieOptions(request, seconds),
        path: SIGN_OUT_PATH,
      })
      .type('text/html; charset=utf-8')
      .send(
        page(undefined, {
          title: 'Signing in',
          scripts: ['continue.js'],
          body: html`${notice('success', html`Signed in as <strong>${actor.sub}</strong>.`)}
            <p><a href="${next}" data-continue>Continue to the console</a></p>`,
        }).text,
      );
  }

  @Post('sign-out')
  async signOut(@Req() request: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    checkCsrf(request);
    void reply
      .clearCookie(SESSION_COOKIE, cookieOptions(request))
      .clearCookie(ID_TOKEN_COOKIE, { ...cookieOptions(request), path: SIGN_OUT_PATH });
    if (!this.oidc.settings) {
      void reply.status(303).header('Location', '/console/sign-in').send();
      return;
    }
    const idToken = request.cookies?.[ID_TOKEN_COOKIE];
    const endSession = await this.oidc.endSessionUrl(idToken || undefined);
    if (!endSession) {
      void reply.status(303).header('Location', '/console/signed-out').send();
      return;
    }
    // A page, not a redirect: the console's form-action 'self' would stop a form's redirect to
    // another site.
    void reply.type('text/html; charset=utf-8').send(
      page(undefined, {
        title: 'Signing out',
        scripts: ['continue.js'],
        body: html`${notice('success', 'You have signed out of Attest.')}
          <p>
            <a href="${endSession}" data-continue>Sign out at the identity provider as well</a>
          </p>`,
      }).text,
    );
  }

  /** Where the identity provider sends the browser once it has signed out there too. */
  @Get('signed-out')
  signedOut(@Res() reply: FastifyReply): void {
    if (!this.oidc.settings) throw new NotFoundException();
    void reply.type('text/html; charset=utf-8').send(
      page(undefined, {
        title: 'Signed out',
        body: html`${notice('success', 'You have signed out.')}
          <p><a href="/console/sign-in">Sign in again</a></p>`,
      }).text,
    );
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

function encodeTransaction(transaction: SignInTransaction): string {
  return Buffer.from(JSON.stringify(transaction)).toString('base64url');
}

/** The transaction cookie's sign-in, or undefined when it is missing or not one of ours. */
function decodeTransaction(cookie: string | undefined): SignInTransaction | undefined {
  if (!cookie) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8')) as unknown;
    const t = value as Partial<SignInTransaction>;
    return typeof t === 'object' &&
      t !== null &&
      [t.verifier, t.state, t.nonce, t.next].every((v) => typeof v === 'string') &&
      typeof t.startedAt === 'number'
      ? { ...(t as SignInTransaction), next: safeNext(t.next) }
      : undefined;
  } catch {
    return undefined;
  }
}
