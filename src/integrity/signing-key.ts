import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type JWK,
  type KeyLike,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
} from 'jose';
import { MEMORY_DATA_DIR } from '../config/app-config';
import { SIGNING_ALGORITHM } from './signing-algorithm';

export { SIGNING_ALGORITHM };
export const SIGNING_KEY_FILE_NAME = 'ledger-signing-key.jwk.json';

/** The Ed25519 key that signs checkpoints; its id is the RFC 7638 thumbprint of its public key. */
export interface SigningKey {
  readonly privateKey: KeyLike;
  /** With kid, alg and use: what /.well-known/jwks.json publishes. */
  readonly publicJwk: JWK & { kid: string };
}

/**
 * SIGNING_KEY_FILE (a private JWK or PKCS#8 PEM) if set; otherwise a key created once in the data
 * dir (mode 0600; of two processes starting together one key wins), or per process in memory.
 * The key never enters the ledger: only its public half does.
 */
export async function openSigningKey(options: {
  signingKeyFile?: string;
  dataDir: string;
}): Promise<SigningKey> {
  if (options.signingKeyFile) return fromText(await readFile(options.signingKeyFile, 'utf8'));
  if (options.dataDir === MEMORY_DATA_DIR) return generated();
  const file = join(options.dataDir, SIGNING_KEY_FILE_NAME);
  const stored = await readFile(file, 'utf8').catch(() => undefined);
  if (stored !== undefined) return fromText(stored);
  const created = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  await mkdir(options.dataDir, { recursive: true });
  try {
    await writeFile(file, JSON.stringify(await exportJWK(created.privateKey)), {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fromText(await readFile(file, 'utf8'));
  }
  return withPublic(created.privateKey, await exportJWK(created.publicKey));
}

async function generated(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, {
    extractable: true,
  });
  return withPublic(privateKey, await exportJWK(publicKey));
}

async function fromText(text: string): Promise<SigningKey> {
  if (text.includes('-----BEGIN PRIVATE KEY-----')) {
    const privateKey = await importPKCS8(text.trim(), SIGNING_ALGORITHM, { extractable: true });
    const { d: _private, ...publicJwk } = await exportJWK(privateKey);
    return withPublic(privateKey, publicJwk);
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new Error('the signing key is neither a JWK (JSON) nor a PKCS#8 PEM private key');
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d) {
    throw new Error(
      'the signing key must be an Ed25519 private key (kty OKP, crv Ed25519, with d)',
    );
  }
  const { d: _private, kid: _kid, alg: _alg, use: _use, key_ops: _ops, ...publicJwk } = jwk;
  return withPublic((await importJWK(jwk, SIGNING_ALGORITHM)) as KeyLike, publicJwk);
}

async function withPublic(privateKey: KeyLike, jwk: JWK): Promise<SigningKey> {
  const publicParts: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const kid = await calculateJwkThumbprint(publicParts, 'sha256');
  return { privateKey, publicJwk: { ...publicParts, kid, alg: SIGNING_ALGORITHM, use: 'sig' } };
}
