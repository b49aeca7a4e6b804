import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { loadConfig } from '../config/app-config';
import { signCheckpoint, verifyCheckpoint } from './checkpoint';
import { SIGNING_KEY_FILE_NAME, type SigningKey, openSigningKey } from './signing-key';

const payload = {
  logId: 'test',
  treeSize: 3,
  rootHash: 'ab'.repeat(32),
  timestamp: '2026-11-27T00:00:00.000Z',
};

/** A key is usable when what it signs verifies with the public half it publishes. */
async function signsAndVerifies(key: SigningKey): Promise<boolean> {
  const jws = await signCheckpoint(payload, { privateKey: key.privateKey, kid: key.publicJwk.kid });
  const { payload: verified, kid } = await verifyCheckpoint(jws, { keys: [key.publicJwk] });
  return kid === key.publicJwk.kid && verified.rootHash === payload.rootHash;
}

describe('the checkpoint signing key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-signing-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is created once in the data dir, readable by its owner only, and the same key after', async () => {
    const first = await openSigningKey({ dataDir: dir });
    const file = join(dir, SIGNING_KEY_FILE_NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await openSigningKey({ dataDir: dir });
    expect(again.publicJwk).toEqual(first.publicJwk);
    expect(first.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(first.publicJwk).not.toHaveProperty('d');
    expect(await signsAndVerifies(again)).toBe(true);
  });

  it('is read from SIGNING_KEY_FILE as a private JWK or a PKCS#8 PEM, named by its thumbprint', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const jwkFile = join(dir, 'key.jwk.json');
    await writeFile(jwkFile, JSON.stringify(await exportJWK(privateKey)));
    const fromJwk = await openSigningKey({ signingKeyFile: jwkFile, dataDir: dir });

    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    const pemFile = join(dir, 'key.pem');
    await writeFile(pemFile, pem);
    const fromPem = await openSigningKey({ signingKeyFile: pemFile, dataDir: dir });

    for (const key of [fromJwk, fromPem]) {
      expect(key.publicJwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await signsAndVerifies(key)).toBe(true);
    }
    expect(fromJwk.publicJwk.kid).not.toBe(fromPem.publicJwk.kid);
    // A key from a file never lands in the data dir.
    await expect(readFile(join(dir, SIGNING_KEY_FILE_NAME))).rejects.toThrow();
  });

  it('refuses a key that is not an Ed25519 private key, and a SIGNING_KEY_FILE that does not exist', async () => {
    const { publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const publicOnly = join(dir, 'public.jwk.json');
    await writeFile(publicOnly, JSON.stringify(await exportJWK(publicKey)));
    await expect(openSigningKey({ signingKeyFile: publicOnly, dataDir: dir })).rejects.toThrow(
      'the signing key must be an Ed25519 private key (kty OKP, crv Ed25519, with d)',
    );
    const garbage = join(dir, 'garbage.txt');
    await writeFile(garbage, 'not a key');
    await expect(openSigningKey({ signingKeyFile: garbage, dataDir: dir })).rejects.toThrow(
      'neither a JWK (JSON) nor a PKCS#8 PEM',
    );
    expect(() => loadConfig({ SIGNING_KEY_FILE: join(dir, 'missing.pem') })).toThrow(
      /SIGNING_KEY_FILE=.*does not exist/,
    );
    expect(() => loadConfig({ LEDGER_LOG_ID: 'bad id!' })).toThrow(/LEDGER_LOG_ID=.*is invalid/);
  });
});
