import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  JWK,
  KeyLike,
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
} from 'jose';
import { MEMORY_DATA_DIR } from '../config/app-config';
import type { Role } from './roles';

const ALGORITHM = 'EdDSA';
const KEY_USE = { alg: ALGORITHM, use: 'sig' };
export const DEV_ISSUER_KEY_FILE = 'dev-issuer.jwk.json';

/**
 * The embedded default's own token issuer: an Ed25519 key pair kept in the data dir (created on
 * first start), so `npm run token` and the service agree without any identity provider. Its key
 * id is the key's RFC 7638 thumbprint, so a token minted with another data dir's key names a key
 * id this service does not know (and is refused saying so) instead of failing its signature.
 */
export class DevIssuer {
  private constructor(
    private readonly privateKey: KeyLike,
    readonly publicJwk: JWK & { kid: string },
    readonly issuer: string,
    readonly audience: string,
    /** Where the key is kept; undefined with DATA_DIR=memory://. */
    readonly keyFile: string | undefined,
    /** Whether this open created the key (none was kept in the data dir). */
    readonly created: boolean,
  ) {}

  get kid(): string {
    return this.publicJwk.kid;
  }

  static async open(dataDir: string, issuer: string, audience: string): Promise<DevIssuer> {
    if (dataDir === MEMORY_DATA_DIR) return DevIssuer.generate(issuer, audience, undefined);
    const file = join(dataDir, DEV_ISSUER_KEY_FILE);
    const stored = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as JWK,
      () => undefined,
    );
    if (stored) {
      const { d: _private, kid: _kid, ...publicParts } = stored;
      return new DevIssuer(
        (await importJWK(stored, ALGORITHM)) as KeyLike,
        await withKeyId(publicParts),
        issuer,
        audience,
        file,
        false,
      );
    }
    const created = await DevIssuer.generate(issuer, audience, file);
    await mkdir(dataDir, { recursive: true });
    try {
      // 'wx': of two processes starting together, one key wins and both use it.
      await writeFile(file, JSON.stringify(await exportJWK(created.privateKey)), {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return DevIssuer.open(dataDir, issuer, audience);
    }
    return created;
  }

  private static async generate(
    issuer: string,
    audience: string,
    keyFile: string | undefined,
  ): Promise<DevIssuer> {
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const publicJwk = await withKeyId(await exportJWK(publicKey));
    return new DevIssuer(privateKey, publicJwk, issuer, audience, keyFile, true);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  sign(claims: { sub: string; roles: readonly Role[] }, expiresIn = '1h'): Promise<string> {
    return new SignJWT({ roles: [...claims.roles] })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.publicJwk.kid })
      .setSubject(claims.sub)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(this.privateKey);
  }
}

/** The public key with its use and its RFC 7638 thumbprint as key id. */
async function withKeyId(publicJwk: JWK): Promise<JWK & { kid: string }> {
  return { ...publicJwk, ...KEY_USE, kid: await calculateJwkThumbprint(publicJwk) };
}
