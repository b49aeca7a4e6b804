import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { JWTVerifyGetKey, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { APP_CONFIG, AppConfig, ConsoleOidcConfig } from '../../config/app-config';
import { DomainError } from '../../ledger/ledger.errors';

// openid-client v6 is ESM only and cannot load under jest's CommonJS runtime, so the flow is jose + fetch.

/** What the console reads from the provider's discovery document. */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
}

/** One sign-in under way: kept in the browser's short-lived transaction cookie. */
export interface SignInTransaction {
  /** PKCE code verifier. */
  verifier: string;
  state: string;
  nonce: string;
  /** The console page to land on. */
  next: string;
  /** When the sign-in started (ms since the epoch). */
  startedAt: number;
}

/** What the token endpoint answered, the ID token verified. */
export interface SignedIn {
  accessToken: string;
  idToken: string;
  subject: string;
}

/** A sign-in that cannot go on: shown as a plain page with this status and sentence. */
export class ConsoleSignInFailed extends DomainError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How long a sign-in may take between leaving for the provider and coming back. */
export const TRANSACTION_MS = 10 * 60_000;
const DISCOVERY_MS = 60 * 60_000;
const TIMEOUT_MS = 10_000;

const random = () => randomBytes(32).toString('base64url');
const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The console's OpenID Connect client (README, "Console"): authorization code flow with PKCE
 * (S256), state and nonce; the provider's discovery document fetched and kept for an hour.
 */
@Injectable()
export class OidcClient {
  private discovered?: { metadata: ProviderMetadata; until: number };
  private keys?: { url: string; get: JWTVerifyGetKey };

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get settings(): ConsoleOidcConfig | undefined {
    return this.config.console.oidc;
  }

  private get oidc(): ConsoleOidcConfig {
    const oidc = this.config.console.oidc;
    if (!oidc) throw new Error('no identity provider is configured for the console');
    return oidc;
  }

  /** Where the provider sends the browser after signing out: <public URL>/console/signed-out. */
  get postLogoutRedirectUrl(): string {
    return this.oidc.redirectUrl.replace(/\/console\/callback$/, '/console/signed-out');
  }

  async metadata(): Promise<ProviderMetadata> {
    if (this.discovered && Date.now() < this.discovered.until) return this.discovered.metadata;
    const issuer = this.oidc.issuer;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let body: Partial<ProviderMetadata>;
    try {
      const response = await fetch(url, {
        headers: { Accept: 'application/json' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`it answered ${response.status}`);
      body = (await response.json()) as Partial<ProviderMetadata>;
    } catch (error) {
      throw new ConsoleSignInFailed(
        503,
        'identity-provider-unavailable',
        `the identity provider cannot be reached now (its discovery document at CONSOLE_OIDC_ISSUER: ${reason(error)}); try again later`,
      );
    }
    const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter(
      (field) => typeof body[field] !== 'string',
    );
    if (body.issuer !== issuer || missing.length > 0)
      throw new ConsoleSignInFailed(
        502,
        'identity-provider-misconfigured',
        body.issuer !== issuer
          ? 'the identity provider’s discovery document names another issuer than CONSOLE_OIDC_ISSUER (they must be the same text)'
          : `the identity provider’s discovery document has no ${missing.join(', ')}`,
      );
    const metadata = body as ProviderMetadata;
    this.discovered = { metadata, until: Date.now() + DISCOVERY_MS };
    return metadata;
  }

  /** Starts a sign-in: where to send the browser, and what to remember until it comes back. */
  async start(next: string): Promise<{ url: string; transaction: SignInTransaction }> {
    const metadata = await this.metadata();
    const transaction: SignInTransaction = {
      verifier: random(),
      state: random(),
      nonce: random(),
      next,
      startedAt: Date.now(),
    };
    const scopes = this.oidc.scopes.split(/\s+/).filter(Boolean);
    const url = new URL(metadata.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.oidc.clientId);
    url.searchParams.set('redirect_uri', this.oidc.redirectUrl);
    url.searchParams.set('scope', [...new Set(['openid', ...scopes])].join(' '));
    url.searchParams.set('state', transaction.state);
    url.searchParams.set('nonce', transaction.nonce);
    url.searchParams.set(
      'code_challenge',
      createHash('sha256').update(transaction.verifier).digest('base64url'),
    );
    url.searchParams.set('code_challenge_method', 'S256');
    return { url: url.toString(), transaction };
  }

  /**
   * The browser came back: the response must be the one this browser's sign-in asked for (state,
   * and the issuer when the provider names it), the code is exchanged with the PKCE verifier,
   * and the ID token must be the provider's, for this client, carrying this sign-in's nonce.
   */
  async finish(
    query: Record<string, unknown>,
    transaction: SignInTransaction | undefined,
  ): Promise<SignedIn> {
    if (!transaction || Date.now() - transaction.startedAt > TRANSACTION_MS)
      throw new ConsoleSignInFailed(
        400,
        'sign-in-expired',
        'this sign-in was not started in this browser, or took longer than 10 minutes: start again',
      );
    const state = typeof query.state === 'string' ? query.state : '';
    if (!sameText(state, transaction.state))
      throw new ConsoleSignInFailed(
        400,
        'sign-in-state-mismatch',
        'the answer from the identity provider is not for the sign-in this browser started (its state differs): start again',
      );
    const metadata = await this.metadata();
    if (typeof query.iss === 'string' && query.iss !== metadata.issuer)
      throw new ConsoleSignInFailed(
        400,
        'sign-in-issuer-mismatch',
        'the answer names another identity provider than CONSOLE_OIDC_ISSUER',
      );
    if (typeof query.error === 'string')
      throw new ConsoleSignInFailed(
        403,
        'sign-in-refused',
        `the identity provider did not sign you in: ${query.error}${
          typeof query.error_description === 'string' ? ` (${query.error_description})` : ''
        }`,
      );
    if (typeof query.code !== 'string' || query.code === '')
      throw new ConsoleSignInFailed(
        400,
        'sign-in-code-missing',
        'the answer from the identity provider carries no code: start again',
      );
    const tokens = await this.exchange(metadata, query.code, transaction.verifier);
    const subject = await this.verifyIdToken(metadata, tokens.idToken, transaction.nonce);
    return { ...tokens, subject };
  }

  /** The provider's sign-out page for this browser, when it has one. */
  async endSessionUrl(idToken: string | undefined): Promise<string | undefined> {
    let metadata: ProviderMetadata;
    try {
      metadata = await this.metadata();
    } catch {
      return undefined;
    }
    if (!metadata.end_session_endpoint) return undefined;
    const url = new URL(metadata.end_session_endpoint);
    url.searchParams.set('client_id', this.oidc.clientId);
    url.searchParams.set('post_logout_redirect_uri', this.postLogoutRedirectUrl);
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    return url.toString();
  }

  private async exchange(
    metadata: ProviderMetadata,
    code: string,
    verifier: string,
  ): Promise<{ accessToken: string; idToken: string }> {
    const { clientId, clientSecret, redirectUrl } = this.oidc;
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUrl,
      code_verifier: verifier,
    });
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    if (!clientSecret) form.set('client_id', clientId);
    else if (!methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: each part form-encoded before Basic.
      const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
      headers.Authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
    }
    let status: number;
    let body: Record<string, unknown>;
    try {
      const response = await fetch(metadata.token_endpoint, {
        method: 'POST',
        headers,
        body: form,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = response.status;
      body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    } catch (error) {
      throw new ConsoleSignInFailed(
        503,
        'identity-provider-unavailable',
        `the identity provider’s token endpoint cannot be reached now (${reason(error)}); try again later`,
      );
    }
    if (status !== 200)
      throw new ConsoleSignInFailed(
        502,
        'sign-in-code-refused',
        `the identity provider refused to exchange the sign-in code (${status}${
          typeof body.error === 'string' ? `, ${body.error}` : ''
        }): start again`,
      );
    const { access_token: accessToken, id_token: idToken, token_type: type } = body;
    if (typeof accessToken !== 'string' || typeof idToken !== 'string')
      throw new ConsoleSignInFailed(
        502,
        'sign-in-tokens-missing',
        'the identity provider’s token response lacks an access token or an ID token',
      );
    if (typeof type !== 'string' || type.toLowerCase() !== 'bearer')
      throw new ConsoleSignInFailed(
        502,
        'sign-in-token-type',
        'the identity provider’s access token is not a bearer token',
      );
    return { accessToken, idToken };
  }

  private async verifyIdToken(
    metadata: ProviderMetadata,
    idToken: string,
    nonce: string,
  ): Promise<string> {
    if (this.keys?.url !== metadata.jwks_uri)
      this.keys = {
        url: metadata.jwks_uri,
        get: createRemoteJWKSet(new URL(metadata.jwks_uri), { cacheMaxAge: DISCOVERY_MS }),
      };
    try {
      const { payload } = await jwtVerify(idToken, this.keys.get, {
        issuer: metadata.issuer,
        audience: this.oidc.clientId,
        algorithms: metadata.id_token_signing_alg_values_supported?.filter(
          (alg) => alg !== 'none' && !alg.startsWith('HS'),
        ) ?? ['RS256'],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: this.config.auth.clockToleranceSeconds,
      });
      if (
        Array.isArray(payload.aud) &&
        payload.aud.length > 1 &&
        payload.azp !== this.oidc.clientId
      )
        throw new ConsoleSignInFailed(
          403,
          'id-token-refused',
          'the ID token is for several clients and not authorised for this one (azp)',
        );
      if (typeof payload.nonce !== 'string' || !sameText(payload.nonce, nonce))
        throw new ConsoleSignInFailed(
          403,
          'id-token-refused',
          'the ID token is not for the sign-in this browser started (its nonce differs): start again',
        );
      return payload.sub as string;
    } catch (error) {
      if (error instanceof ConsoleSignInFailed) throw error;
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout))
        throw new ConsoleSignInFailed(
          403,
          'id-token-refused',
          `the identity provider’s ID token does not verify (${
            error instanceof errors.JWTClaimValidationFailed
              ? `claim ${error.claim} is not accepted`
              : error.code
          })`,
        );
      throw new ConsoleSignInFailed(
        503,
        'identity-provider-unavailable',
        `the identity provider’s keys cannot be fetched now (${reason(error)}); try again later`,
      );
    }
  }
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  return cause ?? (error instanceof Error ? error.message : String(error));
}
