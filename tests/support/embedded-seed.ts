import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The test suites start every in-memory embedded store from one migrated copy instead of running
 * initdb and the migrations again for each app (README "Tests"): Jest's global setup makes the
 * copy once, named after what it was made from, and hands its path to the workers in this
 * variable. Apps started from it still run any migration it lacks.
 */
export const SEED_VARIABLE = 'ATTEST_TEST_EMBEDDED_SEED';

const ROOT = join(__dirname, '..', '..');
const MIGRATIONS = join(ROOT, 'migrations');

/** What the copy depends on: the PGlite release, the migrations and how they are applied. */
async function seedKey(): Promise<string> {
  const hash = createHash('sha256');
  // The package exports no package.json: it sits beside dist/, where the entry point is.
  const pglite = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  hash.update(JSON.parse(await readFile(pglite, 'utf8')).version as string);
  const files = (await readdir(MIGRATIONS)).sort().map((name) => join(MIGRATIONS, name));
  for (const file of [
    ...files,
    join(ROOT, 'src/ledger/database/migrate.ts'),
    join(ROOT, 'src/ledger/database/database-handle.ts'),
  ]) {
    hash
      .update(file.slice(ROOT.length))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Runs of other checkouts or sources may still read their dumps: only stale ones go. */
const UNUSED_FOR_MS = 24 * 60 * 60 * 1000;

/**
 * The path of a migrated embedded data directory dump in `directory`, made now unless a run
 * before already made it from the same migrations; dumps no run has used for a day are removed.
 */
export async function ensureMigratedSeed(directory: string): Promise<string> {
  const name = `attest-embedded-seed-${await seedKey()}.tar`;
  const path = join(directory, name);
  await removeStaleSeeds(directory, name);
  if (existsSync(path)) {
    const now = new Date();
    await utimes(path, now, now);
    return path;
  }
  await mkdir(directory, { recursive: true });
  const { startEmbedded } = await import('../../src/ledger/database/database-handle');
  const { migrate } = await import('../../src/ledger/database/migrate');
  const handle = await startEmbedded('memory://');
  try {
    await migrate(handle.url);
    const dump = await (handle.dumpDataDir as () => Promise<Blob>)();
    // Written aside and renamed: a run that starts meanwhile never reads half a file.
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, path);
  } finally {
    await handle.close();
  }
  return path;
}

async function removeStaleSeeds(directory: string, keep: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const other of names) {
    if (!other.startsWith('attest-embedded-seed-') || other === keep) continue;
    const file = join(directory, other);
    const used = await stat(file).then(
      (found) => found.mtimeMs,
      () => Date.now(),
    );
    if (Date.now() - used > UNUSED_FOR_MS) await rm(file, { force: true });
  }
}

let loaded: Promise<Blob | undefined> | undefined;

/**
 * The migrated seed the global setup made, read once per test file; undefined outside Jest or if
 * the file went missing, when a store is made the slow way (initdb and every migration).
 */
export function migratedSeed(): Promise<Blob | undefined> {
  const path = process.env[SEED_VARIABLE];
  if (!path) return Promise.resolve(undefined);
  loaded ??= readFile(path).then(
    (bytes) => new Blob([bytes]),
    () => undefined,
  );
  return loaded;
}
