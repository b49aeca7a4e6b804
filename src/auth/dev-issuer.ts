import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JWK, KeyLike, SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import { MEMORY_DATA_DIR } from '../config/app-config';
import type { Role } from './roles';

const ALGORITHM = 'EdDSA';
const KEY_USE = { alg: ALGORITHM, use: 'sig', kid: 'attest-dev-1' };

/**
 * The embedded default's own token issuer: an Ed25519 key pair kept in the data dir (created on
 * first start), so `npm run token` and the service agree without any identity provider.
 */
export class DevIssuer {
  private constructor(
    private readonly privateKey: KeyLike,
    readonly publicJwk: JWK,
    readonly issuer: string,
    readonly audience: string,
  ) {}

  static async open(dataDir: string, issuer: string, audience: string): Promise<DevIssuer> {
    if (dataDir === MEMORY_DATA_DIR) return DevIssuer.generate(issuer, audience);
    const file = join(dataDir, 'dev-issuer.jwk.json');
    const stored = await readFile(file, 'utf8').then(
      (text) => JSON.parse(text) as JWK,
      () => undefined,
    );
    if (stored) {
      const { d: _private, ...publicParts } = stored;
      const publicJwk = { ...publicParts, ...KEY_USE };
      return new DevIssuer(
        (await importJWK(stored, ALGORITHM)) as KeyLike,
        publicJwk,
        issuer,
        audience,
      );
    }
    const created = await DevIssuer.generate(issuer, audience);
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

  private static async generate(issuer: string, audience: string): Promise<DevIssuer> {
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), ...KEY_USE };
    return new DevIssuer(privateKey, publicJwk, issuer, audience);
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
