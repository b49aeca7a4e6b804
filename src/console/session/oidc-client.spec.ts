import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { loadConfig } from '../../config/app-config';
import { ConsoleSignInFailed, OidcClient, SignInTransaction } from './oidc-client';

/** A token request as the provider saw it. */
interface Seen {
  authorization?: string;
  form: URLSearchParams;
}

/**
 * The console's OpenID Connect client against a minimal provider (README, "Console"): how it
 * authenticates at the token endpoint, and every check of the answer and the ID token.
 */
describe('OidcClient', () => {
  let server: Server;
  let issuer: string;
  let key: KeyLike;
  let seen: Seen[];
  /** What the next token request answers. */
  let answer: (form: URLSearchParams) => { status: number; body: unknown };

  const idToken = (claims: Record<string, unknown>, audience = 'attest-console') =>
    new SignJWT({ nonce: 'the-nonce', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject('rita')
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    key = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((request, response) => {
      void (async () => {
        const url = new URL(request.url ?? '/', issuer);
        let status = 200;
        let body: unknown;
        if (url.pathname === '/.well-known/openid-configuration')
          body = {
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            end_session_endpoint: `${issuer}/logout`,
            id_token_signing_alg_values_supported: ['ES256'],
          };
        else if (url.pathname === '/jwks') body = { keys: [jwk] };
        else if (url.pathname === '/token') {
          const form = new URLSearchParams(await text(request));
          seen.push({ authorization: request.headers.authorization, form });
          ({ status, body } = answer(form));
        } else status = 404;
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body ?? {}));
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    seen = [];
    answer = () => ({ status: 500, body: {} });
  });

  const client = (secret?: string, overrides: Record<string, string> = {}) =>
    new OidcClient(
      loadConfig({
        AUTH_JWKS_URL: `${issuer}/jwks`,
        AUTH_ISSUER: issuer,
        CONSOLE_OIDC_ISSUER: issuer,
        CONSOLE_OIDC_CLIENT_ID: 'attest console',
        CONSOLE_PUBLIC_URL: 'https://attest.example.com',
        ...(secret ? { CONSOLE_OIDC_CLIENT_SECRET: secret } : {}),
        ...overrides,
      }),
    );
  const transaction = (over: Partial<SignInTransaction> = {}): SignInTransaction => ({
    verifier: 'v'.repeat(43),
    state: 'the-state',
    nonce: 'the-nonce',
    next: '/console',
    startedAt: Date.now(),
    ...over,
  });
  const tokensWith = async (claims: Record<string, unknown> = {}, audience?: string) => {
    const id = await idToken(claims, audience ?? 'attest console');
    answer = () => ({
      status: 200,
      body: { access_token: 'a.b.c', id_token: id, token_type: 'Bearer' },
    });
  };
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConsoleSignInFailed);
    return error as ConsoleSignInFailed;
  };

  it('asks for a code with PKCE S256, state, nonce and openid', async () => {
    const { url, transaction: started } = await client(undefined, {
      CONSOLE_OIDC_SCOPES: 'profile email',
    }).start('/console/ledger');
    const asked = new URL(url);
    expect(`${asked.origin}${asked.pathname}`).toBe(`${issuer}/auth`);
    expect(asked.searchParams.get('scope')).toBe('openid profile email');
    expect(asked.searchParams.get('state')).toBe(started.state);
    expect(asked.searchParams.get('nonce')).toBe(started.nonce);
    expect(asked.searchParams.get('redirect_uri')).toBe(
      'https://attest.example.com/console/callback',
    );
    expect(asked.searchParams.get('code_challenge')).toBe(
      createHash('sha256').update(started.verifier).digest('base64url'),
    );
    expect(started.next).toBe('/console/ledger');
  });

  it('authenticates a confidential client with client_secret_basic, form-encoded', async () => {
    await tokensWith();
    const signedIn = await client('s3cret:+/').finish(
      { code: 'the-code', state: 'the-state', iss: issuer },
      transaction(),
    );
    expect(signedIn).toMatchObject({ accessToken: 'a.b.c', subject: 'rita' });
    expect(seen).toHaveLength(1);
    expect(seen[0].authorization).toBe(
      `Basic ${Buffer.from('attest+console:s3cret%3A%2B%2F').toString('base64')}`,
    );
    expect(Object.fromEntries(seen[0].form)).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'https://attest.example.com/console/callback',
      code_verifier: 'v'.repeat(43),
    });
  });

  it('sends a public client’s id in the form, with no secret', async () => {
    await tokensWith();
    await client().finish({ code: 'the-code', state: 'the-state' }, transaction());
    expect(seen[0].authorization).toBeUndefined();
    expect(seen[0].form.get('client_id')).toBe('attest console');
    expect(seen[0].form.has('client_secret')).toBe(false);
  });

  it('refuses an answer for another sign-in, an expired one, or from another issuer, before any exchange', async () => {
    await tokensWith();
    expect(
      (await failure(client().finish({ code: 'c', state: 'other' }, transaction()))).status,
    ).toBe(400);
    expect(
      (
        await failure(
          client().finish(
            { code: 'c', state: 'the-state' },
            transaction({ startedAt: Date.now() - 11 * 60_000 }),
          ),
        )
      ).code,
    ).toBe('sign-in-expired');
    expect((await failure(client().finish({ code: 'c' }, undefined))).status).toBe(400);
    expect(
      (
        await failure(
          client().finish(
            { code: 'c', state: 'the-state', iss: 'https://evil.example' },
            transaction(),
          ),
        )
      ).code,
    ).toBe('sign-in-issuer-mismatch');
    expect(
      (
        await failure(
          client().finish(
            { error: 'access_denied', error_description: 'no', state: 'the-state' },
            transaction(),
          ),
        )
      ).message,
    ).toBe('the identity provider did not sign you in: access_denied (no)');
    expect(seen).toHaveLength(0);
  });

  it('refuses an ID token with another nonce, for another client, or that the provider refused to issue', async () => {
    await tokensWith({ nonce: 'another' });
    expect(
      (await failure(client().finish({ code: 'c', state: 'the-state' }, transaction()))).message,
    ).toContain('its nonce differs');
    await tokensWith({}, 'another-client');
    expect(
      (await failure(client().finish({ code: 'c', state: 'the-state' }, transaction()))).message,
    ).toContain('claim aud is not accepted');
    answer = () => ({ status: 400, body: { error: 'invalid_grant' } });
    const refused = await failure(
      client().finish({ code: 'c', state: 'the-state' }, transaction()),
    );
    expect(refused.status).toBe(502);
    expect(refused.message).toContain('(400, invalid_grant)');
  });

  it('says the provider is unreachable (503) when its discovery document cannot be read', async () => {
    const error = await failure(
      client(undefined, {
        CONSOLE_OIDC_ISSUER: 'http://127.0.0.1:1',
      }).start('/console'),
    );
    expect(error.status).toBe(503);
    expect(error.message).toContain('cannot be reached now');
  });

  it('signs out at the provider with the client, the ID token hint and where to come back', async () => {
    const url = new URL((await client().endSessionUrl('the.id.token'))!);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'attest console',
      post_logout_redirect_uri: 'https://attest.example.com/console/signed-out',
      id_token_hint: 'the.id.token',
    });
  });
});

async function text(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
