import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MEMORY_DATA_DIR } from '../../config/app-config';
import { lockDataDir } from './data-dir-lock';

/** Where the service's PostgreSQL connections go: a server, or the embedded PGlite store. */
export interface DatabaseHandle {
  kind: 'postgres' | 'embedded';
  url: string;
  /** PGlite serves every connection in one session: no named prepared statements, no LISTEN. */
  sharedSession: boolean;
  /** The embedded store only: a copy of its data directory, which `seed` can start from. */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

export const DATABASE_HANDLE = Symbol('DatabaseHandle');

export function connectToServer(url: string): DatabaseHandle {
  return { kind: 'postgres', url, sharedSession: false, close: async () => undefined };
}

export interface EmbeddedStoreOptions {
  /**
   * A PGlite data directory dump (`dumpDataDir`) a new store starts from instead of a fresh
   * initdb: the test suites start every app from one already-migrated copy. Migrations it lacks
   * still run at start. An existing store under DATA_DIR is opened as it is, never overwritten.
   */
  seed?: Blob;
}

/**
 * Starts PGlite (persisted under dataDir, or in memory for memory://) behind
 * pglite-socket on a loopback port, so the stock `pg` driver and TypeORM reach it unchanged.
 */
export async function startEmbedded(
  dataDirOrMemory: string,
  options: EmbeddedStoreOptions = {},
): Promise<DatabaseHandle> {
  const dataDir = dataDirOrMemory === MEMORY_DATA_DIR ? undefined : dataDirOrMemory;
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  let releaseLock = async () => undefined as void;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    releaseLock = await lockDataDir(dataDir);
  }
  try {
    const pgdata = dataDir ? join(dataDir, 'pglite') : undefined;
    const created = !pgdata || !existsSync(join(pgdata, 'PG_VERSION'));
    const seed = created ? options.seed : undefined;
    if (pgdata && created && !seed) await initialiseInChildProcess(pgdata);
    const db = await PGlite.create({
      dataDir: pgdata,
      loadDataDir: seed,
      postgresqlconf: EMBEDDED_SETTINGS,
    });
    const server = new PGLiteSocketServer({
      db: keepExtendedQueriesWhole(db),
      host: '127.0.0.1',
      port: 0,
      maxConnections: 64,
    });
    await server.start();
    return {
      kind: 'embedded',
      url: `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
      sharedSession: true,
      dumpDataDir: () => db.dumpDataDir('none'),
      close: async () => {
        await server.stop();
        await db.close();
        await releaseLock();
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

/** A small buffer pool: the OS page cache holds the files anyway, and RSS stays low. */
const EMBEDDED_SETTINGS = ['shared_buffers = 32MB'];

/**
 * initdb inside PGlite grows the WebAssembly heap to ~800 MB, which a process never gives back;
 * running it in a short-lived child keeps the service's own footprint to what it uses.
 */
function initialiseInChildProcess(pgdata: string): Promise<void> {
  const script = `require(process.argv[1]).PGlite.create({ dataDir: process.argv[2] }).then((db) => db.close())`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-e', script, require.resolve('@electric-sql/pglite'), pgdata],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`initialising the embedded store in ${pgdata} failed: ${stderr.trim()}`),
          ),
    );
  });
}

const SYNC = 0x53; // 'S'
/** Parse, Bind, Describe, Execute, Close, Flush: an extended-protocol query runs until Sync. */
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

type PGliteInstance = InstanceType<typeof import('@electric-sql/pglite').PGlite>;

/**
 * pglite-socket queues connections message by message and only keeps one connection's
 * messages together inside an explicit transaction, so two connections' Parse/Bind/Sync
 * sequences could interleave in PGlite's single session. Reporting "in a transaction" from a
 * connection's first Parse until its Sync makes the queue keep each query whole.
 */
function keepExtendedQueriesWhole(db: PGliteInstance): PGliteInstance {
  let extendedQueryOpen = false;
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction')
        return () => extendedQueryOpen || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return async (
          message: Uint8Array,
          options: Parameters<PGliteInstance['execProtocolRawStream']>[1],
        ) => {
          try {
            return await target.execProtocolRawStream(message, options);
          } finally {
            if (message[0] === SYNC) extendedQueryOpen = false;
            else if (EXTENDED.has(message[0])) extendedQueryOpen = true;
          }
        };
      }
      if (property === 'exec') {
        // The socket server only calls exec to roll back after a connection dropped mid-query.
        return (query: string) => {
          extendedQueryOpen = false;
          return target.exec(query);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
