import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, lockDataDir, parseLock, processStartTime } from './data-dir-lock';

describe('data dir lock', () => {
  let dataDir: string;
  let children: ChildProcess[];
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'attest-lock-'));
    children = [];
    warnings.length = 0;
  });

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const lockFile = () => join(dataDir, LOCK_FILE);
  const holder = async () => parseLock(await readFile(lockFile(), 'utf8'));

  /** A live child process, once the kernel shows it under its own command. */
  async function live(command: string, args: string[]): Promise<number> {
    const child = spawn(command, args, { stdio: 'ignore' });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid as number;
    // Between fork and exec the child still runs as node: wait for the exec to have happened.
    while (!(await readFile(`/proc/${pid}/cmdline`, 'utf8')).startsWith(command)) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return pid;
  }

  it('records pid, start time and a token, and refuses a second lock while held', async () => {
    const release = await lockDataDir(dataDir, logger);
    const recorded = await holder();
    expect(recorded).toEqual({
      pid: process.pid,
      startTime: processStartTime(process.pid),
      token: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    await expect(lockDataDir(dataDir, logger)).rejects.toThrow(
      `is in use by process ${process.pid}`,
    );
    await release();
    await expect(readFile(lockFile(), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(warnings).toEqual([]);
  });

  it('takes over a lock holding its own pid that it did not write (PID 1 restarted after kill -9)', async () => {
    await writeFile(lockFile(), String(process.pid));
    const release = await lockDataDir(dataDir, logger);
    expect((await holder())?.token).toBeDefined();
    expect(warnings).toEqual([expect.stringContaining(`pid ${process.pid} is this process`)]);
    await release();

    await writeFile(
      lockFile(),
      JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), token: 'old' }),
    );
    const again = await lockDataDir(dataDir, logger);
    expect((await holder())?.token).not.toBe('old');
    await again();
  });

  it('takes over a lock whose pid now belongs to a process that is not its holder', async () => {
    const sleeper = await live('sleep', ['60']);
    await writeFile(lockFile(), String(sleeper));
    const release = await lockDataDir(dataDir, logger);
    expect((await holder())?.pid).toBe(process.pid);
    expect(warnings).toEqual([
      expect.stringContaining(`process ${sleeper} is not a Node.js process`),
    ]);
    await release();

    // The same pid recorded with another start time: reused since the lock was written.
    await writeFile(lockFile(), JSON.stringify({ pid: sleeper, startTime: '1', token: 'x' }));
    const again = await lockDataDir(dataDir, logger);
    expect((await holder())?.pid).toBe(process.pid);
    expect(warnings[1]).toContain(`pid ${sleeper} now belongs to a process started later`);
    await again();
  });

  it('takes over a lock of a process that is gone', async () => {
    await writeFile(lockFile(), '2147483646');
    const release = await lockDataDir(dataDir, logger);
    expect(warnings).toEqual([expect.stringContaining('process 2147483646 is gone')]);
    await release();
  });

  it('refuses while another live Attest process holds the lock', async () => {
    const other = await live(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await writeFile(
      lockFile(),
      JSON.stringify({ pid: other, startTime: processStartTime(other), token: 'theirs' }),
    );
    await expect(lockDataDir(dataDir, logger)).rejects.toThrow(`is in use by process ${other}`);
    // A lock of an older release (a bare pid) held by a live Node.js process is refused too.
    await writeFile(lockFile(), String(other));
    await expect(lockDataDir(dataDir, logger)).rejects.toThrow(`is in use by process ${other}`);
    expect(await readFile(lockFile(), 'utf8')).toBe(String(other));
    expect(warnings).toEqual([]);
  });
});
