import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { DEV_ISSUER, MEMORY_DATA_DIR, loadConfig } from '../config/app-config';
import { DevIssuer } from './dev-issuer';
import { TokenVerifier } from './token-verifier';

describe('TokenVerifier remembering verified tokens', () => {
  const start = new Date('2026-11-27T00:00:00Z');
  let issuer: DevIssuer;
  let verifier: TokenVerifier;

  beforeEach(async () => {
    jest.useFakeTimers({ now: start, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const config = loadConfig({ AUTH_CLOCK_TOLERANCE_SECONDS: '0' }).auth;
    issuer = await DevIssuer.open(MEMORY_DATA_DIR, config.issuer, config.audience);
    verifier = await TokenVerifier.create(config, issuer);
  });
  afterEach(() => jest.useRealTimers());

  it('refuses a remembered token once it has expired', async () => {
    const token = await issuer.sign({ sub: 'ci', roles: ['pipeline'] }, '30s');
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({
      sub: 'ci',
      roles: ['pipeline'],
    });
    jest.setSystemTime(new Date(start.getTime() + 20_000));
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ sub: 'ci' });
    jest.setSystemTime(new Date(start.getTime() + 31_000));
    await expect(verifier.verify(`Bearer ${token}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('never remembers a token that failed, nor one altered after a good one', async () => {
    const token = await issuer.sign({ sub: 'ci', roles: ['pipeline'] }, '5m');
    await verifier.verify(`Bearer ${token}`);
    const [header, payload] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        roles: ['admin'],
      }),
    ).toString('base64url');
    const signature = token.split('.')[2];
    await expect(verifier.verify(`Bearer ${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });
});

describe('TokenVerifier refusing a key it does not know', () => {
  const config = loadConfig({}).auth;

  it('names the token’s key id and the dev issuer’s own, and asks about DATA_DIR', async () => {
    const dirs = await Promise.all([1, 2].map(() => mkdtemp(join(tmpdir(), 'attest-kid-'))));
    try {
      const [service, other] = await Promise.all(
        dirs.map((dir) => DevIssuer.open(dir, config.issuer, config.audience)),
      );
      expect(service.kid).not.toBe(other.kid);
      // The key id is the key's thumbprint: the same key opened again keeps it.
      expect((await DevIssuer.open(dirs[0], config.issuer, config.audience)).kid).toBe(service.kid);
      const verifier = await TokenVerifier.create(config, service);
      const token = await other.sign({ sub: 'alice', roles: ['admin'] });
      await expect(verifier.verify(`Bearer ${token}`)).rejects.toMatchObject({
        status: 401,
        message:
          `a valid bearer token is required: the token is signed by an unknown key: the token’s key id ${other.kid} is not one this service knows ` +
          `(its dev issuer signs with key id ${service.kid}, kept in its DATA_DIR; was the token minted with a different DATA_DIR? \`npm run token\` names the key it used)`,
      });
    } finally {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  });

  it('does not echo a key id that is not a plain identifier', async () => {
    const service = await DevIssuer.open(MEMORY_DATA_DIR, config.issuer, config.audience);
    const verifier = await TokenVerifier.create(config, service);
    const { privateKey } = await generateKeyPair('EdDSA');
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: '<script>alert(1)</script>' })
      .setSubject('mallory')
      .setIssuer(DEV_ISSUER)
      .setAudience(config.audience)
      .setExpirationTime('5m')
      .sign(privateKey);
    const refused = await verifier.verify(`Bearer ${token}`).catch((error: Error) => error);
    expect((refused as Error).message).toContain(
      'the token’s key id is not one this service knows',
    );
    expect((refused as Error).message).not.toContain('script');
  });

  it('points at AUTH_JWKS_FILE when the keys come from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attest-kid-'));
    try {
      const known = await generateKeyPair('ES256', { extractable: true });
      const file = join(dir, 'jwks.json');
      await writeFile(
        file,
        JSON.stringify({ keys: [{ ...(await exportJWK(known.publicKey)), kid: 'idp-1' }] }),
      );
      const fileConfig = loadConfig({ AUTH_JWKS_FILE: file, AUTH_ISSUER: 'https://idp.test' }).auth;
      const verifier = await TokenVerifier.create(fileConfig);
      const unknown = await generateKeyPair('ES256');
      const token = await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-2' })
        .setSubject('alice')
        .setIssuer('https://idp.test')
        .setAudience(fileConfig.audience)
        .setExpirationTime('5m')
        .sign(unknown.privateKey);
      await expect(verifier.verify(`Bearer ${token}`)).rejects.toThrow(
        'the token’s key id idp-2 is not one this service knows (its keys are those in AUTH_JWKS_FILE)',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
