import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AppConfig, ConfigError, MEMORY_DATA_DIR, MIN_PEPPER_LENGTH } from './app-config';

export const PEPPER_FILE = 'privacy-pepper.key';

export interface SubjectPepper {
  /** The secret; its UTF-8 bytes are the HMAC key, so the file's text can be moved into PRIVACY_PEPPER. */
  secret: string;
  origin: 'configured' | 'data-dir' | 'per-process';
  /** Set when a fleet of replicas sharing one ledger could end up with different peppers. */
  warning?: string;
}

/**
 * PRIVACY_PEPPER when set; otherwise one random pepper kept in the data dir (created once, so
 * every process on that dir agrees, as the dev issuer's key), or a new one per in-memory process.
 */
export async function openSubjectPepper(config: AppConfig): Promise<SubjectPepper> {
  if (config.privacyPepper) return { secret: config.privacyPepper, origin: 'configured' };
  const shared =
    config.databaseUrl !== undefined || config.eventStoreConnectionString !== undefined;
  if (config.dataDir === MEMORY_DATA_DIR) {
    return {
      secret: newPepper(),
      origin: 'per-process',
      ...(shared
        ? {
            warning:
              'PRIVACY_PEPPER is not set and DATA_DIR is memory://: this process hashes data subjects with its own random pepper, so its subject refs match no other process or restart; set PRIVACY_PEPPER, the same on every replica',
          }
        : {}),
    };
  }
  const file = join(config.dataDir, PEPPER_FILE);
  const secret = (await readPepperFile(file)) ?? (await createPepperFile(config.dataDir, file));
  return {
    secret,
    origin: 'data-dir',
    ...(shared
      ? {
          warning: `PRIVACY_PEPPER is not set: data subjects are hashed with the pepper in ${file}; every replica sharing this ledger must use the same one, so set PRIVACY_PEPPER (that file's content) on all of them`,
        }
      : {}),
  };
}

function newPepper(): string {
  return randomBytes(32).toString('hex');
}

async function readPepperFile(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < MIN_PEPPER_LENGTH) {
    throw new ConfigError(
      `${file} is invalid: expected a pepper of at least ${MIN_PEPPER_LENGTH} characters; restore it from backup (a new one changes every subject ref)`,
    );
  }
  return secret;
}

/**
 * Written to a private temporary file ('wx', 0600) and published with link(), which, like 'wx',
 * fails when the file exists: two processes starting together both end up with the first one's
 * pepper, and neither can read a half-written file.
 */
async function createPepperFile(dataDir: string, file: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const secret = newPepper();
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${secret}\n`, { flag: 'wx', mode: 0o600 });
  try {
    await link(draft, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readPepperFile(file);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}
