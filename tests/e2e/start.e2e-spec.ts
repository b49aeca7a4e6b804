import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { loadConfig } from '../../src/config/app-config';
import { LOCK_FILE, parseLock } from '../../src/ledger/database/data-dir-lock';
import { startEmbedded } from '../../src/ledger/database/database-handle';
import { migrate } from '../../src/ledger/database/migrate';
import { createEventLog } from '../../src/ledger/event-log.factory';
import { newEvents, settled } from '../support/events';

const ROOT = join(__dirname, '../..');

/** A process that has exited is gone even while its zombie waits to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The message of one JSON log line; undefined for anything else. */
function messageOf(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : undefined;
  } catch {
    return undefined;
  }
}

/** `npm start` as a person (or a supervisor) runs it, with its log lines as they come. */
class NpmStart {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  constructor(env: Record<string, string>) {
    const inherited = { ...process.env };
    // The embedded default, whatever store the test run itself was given.
    for (const name of [
      'DATABASE_URL',
      'EVENTSTORE_CONNECTION_STRING',
      'ESDB_TEST_CONNECTION_STRING',
    ])
      delete inherited[name];
    this.child = spawn('npm', ['start'], { cwd: ROOT, env: { ...inherited, ...env } });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) this.take(line);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** The messages of the service's JSON log lines, in order. */
  messages(): string[] {
    return this.lines.map(messageOf).filter((message) => message !== undefined);
  }

  /** Resolves with the first message matching `pattern`; rejects if npm exits first. */
  waitFor(pattern: RegExp): Promise<string> {
    const seen = this.messages().find((message) => pattern.test(message));
    if (seen) return Promise.resolve(seen);
    return Promise.race([
      new Promise<string>((resolve) => this.waiting.push({ pattern, resolve })),
      this.exited.then(({ code, signal }) => {
        throw new Error(
          `npm start ended (code ${code}, signal ${signal}) before ${pattern}:\n${this.lines.join('\n')}\n${this.stderr}`,
        );
      }),
    ]);
  }

  private take(line: string): void {
    this.lines.push(line);
    const message = messageOf(line);
    if (message === undefined) return;
    this.waiting = this.waiting.filter((waiter) => {
      if (!waiter.pattern.test(message)) return true;
      waiter.resolve(message);
      return false;
    });
  }
}

describe('npm start', () => {
  let dataDir: string;
  let start: NpmStart | undefined;
  const newest = migrations[migrations.length - 1];

  beforeAll(async () => {
    // A ledger with history, one migration behind this release.
    dataDir = await mkdtemp(join(tmpdir(), 'attest-start-'));
    const handle = await startEmbedded(dataDir);
    try {
      await migrate(handle.url);
      const log = createEventLog(handle, loadConfig({}));
      await log.append('dataset-start', newEvents(20), { expectedRevision: 'no_stream' });
      const last = await log.append('model-start', newEvents(20), {
        expectedRevision: 'no_stream',
      });
      await settled(log, last.position);
      await log.close();
      const schema = new DataSource({ type: 'postgres', url: handle.url, migrations });
      await schema.initialize();
      await schema.undoLastMigration();
      await schema.destroy();
    } finally {
      await handle.close();
    }
  });

  afterAll(async () => {
    if (start?.child.pid && running(start.child.pid)) start.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('tells its progress up to "ready", and stops cleanly when npm gets SIGTERM', async () => {
    start = new NpmStart({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    const ready = await start.waitFor(/^ready on http:\/\/127\.0\.0\.1:\d+ in \d+\.\d s$/);

    const messages = start.messages();
    const expected = [
      `opening the embedded store in ${dataDir}`,
      /^embedded store open in \d+\.\d s$/,
      `migration 1 of 1: ${newest.name}`,
      /^schema up to date: 1 migration\(s\) applied in \d+\.\d s$/,
      /^projections catching up: \d+% of the ledger head \(slowest [\w-]+; \d+ of \d+ caught up\)$/,
      /^listening on http:\/\/127\.0\.0\.1:\d+ with embedded PGlite in /,
      /^projections caught up in \d+\.\d s$/,
      ready,
    ];
    const at = expected.map((line) =>
      messages.findIndex((message) =>
        typeof line === 'string' ? message === line : line.test(message),
      ),
    );
    expect(at.every((index) => index >= 0)).toBe(true);
    // The store, its migrations and the projections in the order they happen; ready last.
    expect(at.slice(0, 5)).toEqual([...at.slice(0, 5)].sort((a, b) => a - b));
    expect(at[at.length - 1]).toBeGreaterThan(Math.max(...at.slice(0, -1)));
    // Nest's per-module and per-route lines stay at debug level.
    expect(messages.some((message) => /dependencies initialized|Mapped \{/.test(message))).toBe(
      false,
    );

    const port = Number(/:(\d+) in/.exec(ready)?.[1]);
    const live = await fetch(`http://127.0.0.1:${port}/api/v1/health/live`);
    expect(live.status).toBe(200);

    // The service holds the data dir, and it is not npm itself but the process npm started.
    const holder = parseLock(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
    const servicePid = holder?.pid as number;
    expect(servicePid).not.toBe(start.child.pid);
    expect(running(servicePid)).toBe(true);

    // What a supervisor does: signal npm, the process it started.
    start.child.kill('SIGTERM');
    const exit = await start.exited;
    // npm passes the signal on and ends the way the service did: by SIGTERM.
    expect(exit.signal === 'SIGTERM' || exit.code === 143).toBe(true);
    expect(running(servicePid)).toBe(false);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  }, 600_000);
});
