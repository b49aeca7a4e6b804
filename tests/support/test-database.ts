import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  DatabaseHandle,
  connectToServer,
  startEmbedded,
} from '../../src/ledger/database/database-handle';
import { migratedSeed } from './embedded-seed';

export type StoreKind = 'embedded' | 'postgres';

/** The embedded store always; real PostgreSQL whenever DATABASE_URL is set (CI sets it). */
export function storeKinds(): StoreKind[] {
  return process.env.DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];
}

/** The store the end-to-end suites use: PostgreSQL with DATABASE_URL, else embedded. */
export function defaultStoreKind(): StoreKind {
  return process.env.DATABASE_URL ? 'postgres' : 'embedded';
}

export interface TestDatabase extends DatabaseHandle {
  /** Variables that point the service at this database. */
  env: Record<string, string>;
}

/** A fresh, empty database of the given kind; close() drops it. */
export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const handle = await startEmbedded('memory://');
    return { ...handle, env: {} };
  }
  const { url, drop } = await scratchDatabase(process.env.DATABASE_URL as string, 'attest_test');
  const handle = connectToServer(url);
  return { ...handle, env: { DATABASE_URL: url }, close: drop };
}

/**
 * A fresh database of the given kind for a caller that migrates it next: an embedded one starts
 * from the suite's migrated copy (README "Tests"), so that migrate() finds little or nothing to do.
 */
export async function createDatabaseToMigrate(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const handle = await startEmbedded('memory://', { seed: await migratedSeed() });
    return { ...handle, env: {} };
  }
  return createTestDatabase(kind);
}

/**
 * A new, empty database named `<prefix>_<random hex>` on the PostgreSQL server at `base`
 * (tests, benchmarks and chaos runs never touch real data); `drop()` removes it.
 */
export async function scratchDatabase(
  base: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(base, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withClient(base, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** Runs `work` with a client connected to `url`, and disconnects it. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Changes one stored event's data with raw SQL, past the append-only trigger, as a rogue DBA could. */
export async function tamperWithSql(url: string, eventId: string, data: unknown): Promise<void> {
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    await sql.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
    await sql.query('UPDATE ledger_events SET data = $2 WHERE id = $1', [eventId, data]);
    await sql.query('ALTER TABLE ledger_events ENABLE TRIGGER ledger_events_append_only');
  } finally {
    await sql.end();
  }
}
