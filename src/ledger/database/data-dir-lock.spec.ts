import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, lockDataDir, parseLock, processStartTime, thisHost } from './data-dir-lock';

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

  it('records host, pid, start time and a token, and refuses a second lock while held', async () => {
    const release = await lockDataDir(dataDir, logger);
    const recorded = await holder();
    expect(recorded).toEqual({
      pid: process.pid,
      startTime: processStartTime(process.pid),
      token: expect.stringMatching(/^[0-9a-f]{32}$/),
      hostname: hostname(),
      bootId: (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim(),
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

    // The same with this host's name and boot id recorded, and a fresh heartbeat.
    await writeFile(lockFile(), JSON.stringify({ pid: process.pid, token: 'old', ...thisHost() }));
    const third = await lockDataDir(dataDir, logger, { waitForStale: false });
    expect((await holder())?.token).not.toBe('old');
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toContain(`pid ${process.pid} is this process`);
    await third();
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

  describe('a lock of another host or container', () => {
    const foreign = (pid: number) =>
      JSON.stringify({ pid, startTime: '1', token: 'theirs', hostname: 'elsewhere', bootId: 'b' });

    it('refuses while its heartbeat is fresh, also when it names pid 1 or this pid', async () => {
      for (const pid of [1, process.pid]) {
        await writeFile(lockFile(), foreign(pid));
        await expect(lockDataDir(dataDir, logger, { waitForStale: false })).rejects.toThrow(
          new RegExp(
            `in use by process ${pid} on host elsewhere \\(last heartbeat \\d+ s ago; stale after (29|30) s more`,
          ),
        );
        expect(await readFile(lockFile(), 'utf8')).toBe(foreign(pid));
      }
      // Another kernel under the same hostname is another host too.
      await writeFile(
        lockFile(),
        JSON.stringify({ pid: process.pid, token: 'theirs', hostname: hostname(), bootId: 'b' }),
      );
      await expect(lockDataDir(dataDir, logger, { waitForStale: false })).rejects.toThrow(
        `in use by process ${process.pid} on host ${hostname()}`,
      );
      expect(warnings).toEqual([]);
    });

    it('takes it over once its heartbeat is older than the stale threshold', async () => {
      await writeFile(lockFile(), foreign(1));
      const old = new Date(Date.now() - 31_000);
      await utimes(lockFile(), old, old);
      const release = await lockDataDir(dataDir, logger, { waitForStale: false });
      expect((await holder())?.pid).toBe(process.pid);
      expect(warnings).toEqual([
        expect.stringMatching(/took over .*: process 1 on host elsewhere last beat 31 s ago$/),
      ]);
      await release();
    });

    it('waits once for a fresh one to turn stale: taken over when nobody beats', async () => {
      await writeFile(lockFile(), foreign(1));
      const release = await lockDataDir(dataDir, logger, { staleAfterMs: 200 });
      expect((await holder())?.pid).toBe(process.pid);
      expect(warnings).toEqual([
        expect.stringContaining('is held by process 1 on host elsewhere'),
        expect.stringContaining('took over'),
      ]);
      expect(warnings[0]).toContain('waiting 0 s for it to turn stale');
      await release();
    });

    it('waits once for a fresh one to turn stale: refused while a live holder beats', async () => {
      await writeFile(lockFile(), foreign(1));
      const beater = spawn(
        process.execPath,
        [
          '-e',
          `const fs = require('fs'); const beat = () => { const now = new Date(); fs.utimesSync(process.argv[1], now, now); };
           beat(); process.stdout.write('beating'); setInterval(beat, 20);`,
          lockFile(),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(beater);
      await new Promise((resolve) => beater.stdout?.once('data', resolve));
      await expect(lockDataDir(dataDir, logger, { staleAfterMs: 300 })).rejects.toThrow(
        'in use by process 1 on host elsewhere',
      );
      expect(warnings).toEqual([expect.stringContaining('waiting')]);
      expect(await readFile(lockFile(), 'utf8')).toBe(foreign(1));
    });
  });

  it('beats while held: the lock file mtime advances, until released', async () => {
    const release = await lockDataDir(dataDir, logger, { heartbeatMs: 10 });
    const first = (await stat(lockFile())).mtimeMs;
    while ((await stat(lockFile())).mtimeMs === first) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await release();
    await expect(stat(lockFile())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lets exactly one of many concurrent starters take the lock', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => lockDataDir(dataDir, logger)),
    );
    const taken = results.filter((result) => result.status === 'fulfilled');
    expect(taken).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(String(result.reason)).toContain('is in use by');
    }
    expect(warnings).toEqual([]);
    await (taken[0] as PromiseFulfilledResult<() => Promise<void>>).value();
  });

  it('is never observed empty or half written by another process', async () => {
    const stop = join(dataDir, 'stop');
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const [file, stop] = process.argv.slice(1); let reads = 0; const bad = [];
         process.stdout.write('ready\\n');
         while (!fs.existsSync(stop)) {
           let text;
           try { text = fs.readFileSync(file, 'utf8'); } catch (e) { if (e.code === 'ENOENT') continue; throw e; }
           reads++;
           try { if (typeof JSON.parse(text).pid !== 'number') bad.push(text); } catch { bad.push(text); }
         }
         process.stdout.write(JSON.stringify({ reads, bad: bad.slice(0, 5) }));`,
        lockFile(),
        stop,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(reader);
    let output = '';
    reader.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => reader.once('exit', resolve));
    while (!output.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let cycle = 0; cycle < 300; cycle++) await (await lockDataDir(dataDir, logger))();
    await writeFile(stop, '');
    expect(await exited).toBe(0);
    const { reads, bad } = JSON.parse(output.slice(output.indexOf('\n') + 1)) as {
      reads: number;
      bad: string[];
    };
    expect(bad).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
  });
});
