import { readFile } from 'node:fs/promises';
import {
  JSONWebKeySet,
  JWTVerifyGetKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
} from 'jose';
import type { AuthConfig } from '../config/app-config';
import type { Actor } from '../ledger/event-log.port';
import { AuthKeysUnavailable, Unauthenticated } from './auth.errors';
import type { DevIssuer } from './dev-issuer';
import { isRole } from './roles';

const MAX_REMEMBERED_TOKENS = 10_000;
const PLAIN_KEY_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** A verified token is trusted again without a signature check for at most this long. */
const REMEMBER_MS = 60_000;

/** Verifies bearer tokens against the configured keys and turns them into an actor. */
export class TokenVerifier {
  /** Pipelines send the same token on every request: its verification is kept until it expires. */
  private readonly verified = new Map<string, { actor: Actor; until: number }>();

  private constructor(
    private readonly keys: JWTVerifyGetKey,
    private readonly config: AuthConfig,
    /** The dev issuer's key id, named when a token carries another one. */
    private readonly devKid?: string,
  ) {}

  static async create(config: AuthConfig, devIssuer?: DevIssuer): Promise<TokenVerifier> {
    switch (config.keys.kind) {
      case 'remote':
        // Cached, and fetched again when a token names a key it does not know (rotation).
        return new TokenVerifier(
          createRemoteJWKSet(new URL(config.keys.url), {
            cacheMaxAge: 10 * 60_000,
            cooldownDuration: 30_000,
          }),
          config,
        );
      case 'file': {
        const jwks = JSON.parse(await readFile(config.keys.path, 'utf8')) as JSONWebKeySet;
        return new TokenVerifier(createLocalJWKSet(jwks), config);
      }
      case 'dev-issuer':
        if (!devIssuer) throw new Error('the dev issuer is not running');
        return new TokenVerifier(
          createLocalJWKSet(devIssuer.jwks() as JSONWebKeySet),
          config,
          devIssuer.kid,
        );
    }
  }

  async verify(authorization: string | undefined): Promise<Actor> {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(
      authorization ?? '',
    );
    if (!match)
      throw new Unauthenticated(
        authorization
          ? 'the Authorization header is not "Bearer <jwt>"'
          : 'no Authorization header',
      );
    const known = this.verified.get(match[1]);
    if (known && Date.now() < known.until) return known.actor;
    if (known) this.verified.delete(match[1]);
    try {
      const { payload } = await jwtVerify(match[1], this.keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        clockTolerance: this.config.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      });
      const claimed = payload[this.config.rolesClaim];
      const roles = (Array.isArray(claimed) ? claimed : []).filter(isRole);
      const actor = { sub: payload.sub as string, roles };
      this.remember(match[1], actor, (payload.exp as number) * 1000);
      return actor;
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new AuthKeysUnavailable(error instanceof Error ? error.message : String(error));
      }
      if (error instanceof errors.JWKSNoMatchingKey)
        throw new Unauthenticated(this.unknownKey(match[1]));
      throw new Unauthenticated(describe(error));
    }
  }

  /** A token signed with a key this service does not know: which key, and where its keys are. */
  private unknownKey(token: string): string {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      kid = undefined;
    }
    // The key id is the caller's text: echoed only when it is a plain identifier.
    const named =
      typeof kid !== 'string'
        ? 'the token is signed by an unknown key: it names no key id and none of this service’s keys matches'
        : PLAIN_KEY_ID.test(kid)
          ? `the token is signed by an unknown key: the token’s key id ${kid} is not one this service knows`
          : 'the token is signed by an unknown key: the token’s key id is not one this service knows';
    switch (this.config.keys.kind) {
      case 'dev-issuer':
        return `${named} (its dev issuer signs with key id ${this.devKid}, kept in its DATA_DIR; was the token minted with a different DATA_DIR? \`npm run token\` names the key it used)`;
      case 'remote':
        return `${named} (its keys are those of AUTH_JWKS_URL, fetched again for an unknown key id)`;
      case 'file':
        return `${named} (its keys are those in AUTH_JWKS_FILE)`;
    }
  }

  private remember(token: string, actor: Actor, expiresAt: number): void {
    if (this.verified.size >= MAX_REMEMBERED_TOKENS) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, { actor, until: Math.min(expiresAt, Date.now() + REMEMBER_MS) });
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim ${error.claim} is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token’s algorithm is not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the signature does not verify';
  return 'the token cannot be verified';
}
