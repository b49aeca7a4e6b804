import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyLike, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { TestApp, startTestApp } from '../support/test-app';

const WRITE = '/api/v1/datasets/loans/versions';
const BODY = {
  version: 'v1',
  contentHash: `sha256:${'ab'.repeat(32)}`,
  rows: 10,
  schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
  location: 's3://lake/loans.parquet',
  region: 'AU',
};

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    privateKey: privateKey as KeyLike,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

function unsigned(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** Tokens on a write route, refused before anything is decided: the ledger keeps its count. */
describe('writes refuse bad tokens and bad bodies without appending', () => {
  let dir: string;
  let test: TestApp;
  let sign: (
    claims: Record<string, unknown>,
    options?: { iss?: string; aud?: string; exp?: string; key?: KeyLike; kid?: string },
  ) => Promise<string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-write-access-'));
    const known = await keyPair('idp-1');
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [known.jwk] }));
    test = await startTestApp({
      env: {
        AUTH_JWKS_FILE: file,
        AUTH_ISSUER: 'https://idp.test',
        AUTH_AUDIENCE: 'attest',
        BODY_LIMIT_BYTES: '4096',
      },
    });
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'idp-1' })
        .setSubject('pat')
        .setIssuer(options.iss ?? 'https://idp.test')
        .setAudience(options.aud ?? 'attest')
        .setIssuedAt()
        .setExpirationTime(options.exp ?? '5m')
        .sign(options.key ?? known.privateKey);
  });

  afterAll(async () => {
    await test.close();
    await rm(dir, { recursive: true, force: true });
  });

  const count = () => test.countEvents();

  it('accepts a good pipeline token, so the refusals below are about the token alone', async () => {
    const token = await sign({ roles: ['pipeline'] });
    await test
      .anonymous()
      .post(WRITE)
      .set('Authorization', `Bearer ${token}`)
      .send(BODY)
      .expect(201);
  });

  it.each([
    [
      'alg none',
      async () =>
        unsigned({
          sub: 'pat',
          roles: ['pipeline'],
          iss: 'https://idp.test',
          aud: 'attest',
          exp: 9_999_999_999,
        }),
      401,
    ],
    [
      'the wrong audience',
      async () => sign({ roles: ['pipeline'] }, { aud: 'another-service' }),
      401,
    ],
    [
      'the wrong issuer',
      async () => sign({ roles: ['pipeline'] }, { iss: 'https://evil.test' }),
      401,
    ],
    ['an expired token', async () => sign({ roles: ['pipeline'] }, { exp: '-10m' }), 401],
    [
      'an unknown key',
      async () =>
        sign({ roles: ['pipeline'] }, { key: (await keyPair('idp-2')).privateKey, kid: 'idp-2' }),
      401,
    ],
    ['a regulator', async () => sign({ roles: ['regulator'] }), 403],
    ['a risk manager', async () => sign({ roles: ['risk-manager'] }), 403],
  ])('refuses %s', async (_case, token, status) => {
    const before = await count();
    const response = await test
      .anonymous()
      .post(WRITE)
      .set('Authorization', `Bearer ${await token()}`)
      .send({ ...BODY, version: 'v2' })
      .expect(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await count()).toBe(before);
  });

  it('refuses malformed, oversized and unknown-field bodies with 4xx problems naming what is wrong', async () => {
    const token = `Bearer ${await sign({ roles: ['pipeline'] })}`;
    const before = await count();
    const post = () => test.anonymous().post(WRITE).set('Authorization', token);
    await post().set('Content-Type', 'application/json').send('{"version": "v3",').expect(400);
    await post()
      .send({ ...BODY, version: 'v3', location: 'x'.repeat(5000) })
      .expect(413);
    const unknown = await post()
      .send({ ...BODY, version: 'v3', approvedBy: 'me' })
      .expect(400);
    expect(unknown.body.errors).toHaveProperty('approvedBy');
    const wrongType = await post()
      .send({ ...BODY, version: 'v3', rows: 'many' })
      .expect(400);
    expect(wrongType.body.errors).toHaveProperty('rows');
    await post().set('Content-Type', 'application/xml').send('<dataset/>').expect(415);
    expect(await count()).toBe(before);
  });
});
