import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, KeyLike } from 'jose';
import { READING_ROLES } from '../../src/auth/roles';
import { TestApp, startTestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;
const READ = '/api/v1/ledger/events';

/** A key pair and JWKS of an identity provider that is not Attest. */
async function identityProvider() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
  const sign = (
    claims: Record<string, unknown>,
    options: { iss?: string; aud?: string; exp?: string | number } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setSubject('alice')
      .setIssuer(options.iss ?? 'https://idp.test')
      .setAudience(options.aud ?? 'attest')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(privateKey as KeyLike);
  return { jwks: { keys: [jwk] }, sign };
}

function unsigned(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

describe('access with the built-in dev issuer', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(() => t?.close());

  it('lets every role read the ledger but scoring, and nobody without a token', async () => {
    for (const role of READING_ROLES) {
      const token = await t.token(`${role}-user`, [role]);
      await t.anonymous().get(READ).set('Authorization', `Bearer ${token}`).expect(200);
    }
    // Scoring asks for decisions and can do nothing else.
    const scoring = await t.token('origination-system', ['scoring']);
    await t.anonymous().get(READ).set('Authorization', `Bearer ${scoring}`).expect(403);
    const response = await t.anonymous().get(READ).expect(401);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="attest"');
    expect(response.body).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it.each([
    ['a malformed header', 'Token abc'],
    [
      'a token signed with alg none',
      `Bearer ${unsigned({ sub: 'mallory', roles: ['admin'], aud: 'attest', iss: 'urn:attest:dev-issuer', exp: 9999999999 })}`,
    ],
  ])('refuses %s with 401', async (_name, header) => {
    const response = await t.anonymous().get(READ).set('Authorization', header).expect(401);
    expect(response.body.code).toBe('unauthenticated');
  });

  it('refuses expired tokens, unknown keys and tokens for another audience with 401', async () => {
    const expired = await t.token('alice', ['admin'], '-5m');
    const foreign = await (
      await identityProvider()
    ).sign({ roles: ['admin'] }, { iss: 'urn:attest:dev-issuer' });
    for (const token of [expired, foreign]) {
      const response = await t
        .anonymous()
        .get(READ)
        .set('Authorization', `Bearer ${token}`)
        .expect(401);
      expect(response.body.detail).toMatch(/expired|unknown key/);
    }
  });

  it('answers 403 naming the roles when the token lacks one the route allows', async () => {
    const regulator = await t.token('rita', ['regulator']);
    const response = await t
      .anonymous()
      .post('/api/v1/test-probe')
      .set('Authorization', `Bearer ${regulator}`)
      .send({ name: 'x', count: 1 })
      .expect(403);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.body).toMatchObject({
      code: 'forbidden',
      held: ['regulator'],
      allowed: ['pipeline', 'data-scientist', 'admin'],
    });
  });

  it('keeps probes and metrics public', async () => {
    await t.anonymous().get('/api/v1/health/live').expect(200);
    await t.anonymous().get('/metrics').expect(200);
  });
});

describe('access with an external identity provider', () => {
  let dir: string;
  let server: Server;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-auth-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('verifies tokens against a JWKS file, with issuer, audience and a custom roles claim', async () => {
    const idp = await identityProvider();
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify(idp.jwks));
    const t = await startTestApp({
      env: {
        AUTH_JWKS_FILE: file,
        AUTH_ISSUER: 'https://idp.test',
        AUTH_ROLES_CLAIM: 'https://attest/roles',
      },
    });
    try {
      const good = await idp.sign({ 'https://attest/roles': ['regulator'] });
      await t.anonymous().get(READ).set('Authorization', `Bearer ${good}`).expect(200);
      const rolesElsewhere = await idp.sign({ roles: ['regulator'] });
      await t.anonymous().get(READ).set('Authorization', `Bearer ${rolesElsewhere}`).expect(403);
      for (const bad of [
        await idp.sign({ 'https://attest/roles': ['admin'] }, { iss: 'https://evil.test' }),
        await idp.sign({ 'https://attest/roles': ['admin'] }, { aud: 'someone-else' }),
      ]) {
        const response = await t
          .anonymous()
          .get(READ)
          .set('Authorization', `Bearer ${bad}`)
          .expect(401);
        expect(response.body.detail).toMatch(/claim (iss|aud) is not accepted/);
      }
      expect(() => t.token('x', ['admin'])).toThrow(/external issuer/);
    } finally {
      await t.close();
    }
  });

  it('answers 503, not 401, when the identity provider’s keys cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const idp = await identityProvider();
    const t = await startTestApp({
      env: { AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, AUTH_ISSUER: 'https://idp.test' },
    });
    try {
      const token = await idp.sign({ roles: ['admin'] });
      const response = await t
        .anonymous()
        .get(READ)
        .set('Authorization', `Bearer ${token}`)
        .expect(503);
      expect(response.body).toMatchObject({ code: 'auth-keys-unavailable' });
      expect(response.headers['retry-after']).toBe('1');
    } finally {
      await t.close();
    }
  });

  it('fetches a remote JWKS over HTTP', async () => {
    const idp = await identityProvider();
    let fetches = 0;
    server = createServer((_request, response) => {
      fetches += 1;
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify(idp.jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    const t = await startTestApp({ env: { AUTH_JWKS_URL: url, AUTH_ISSUER: 'https://idp.test' } });
    try {
      const token = await idp.sign({ roles: ['risk-manager'] });
      await t.anonymous().get(READ).set('Authorization', `Bearer ${token}`).expect(200);
      await t.anonymous().get(READ).set('Authorization', `Bearer ${token}`).expect(200);
      expect(fetches).toBe(1);
    } finally {
      await t.close();
    }
  });
});
