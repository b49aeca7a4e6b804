import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FileHandle, link, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';

export const LOCK_FILE = 'attest.pid';

/** What the lock file records about its holder: enough to tell it from a reused pid. */
export interface LockHolder {
  pid: number;
  /** The holder's start time in clock ticks since boot (Linux /proc/<pid>/stat field 22). */
  startTime?: string;
  /** Random per lock: tells this process's own live locks from one left by an earlier life. */
  token?: string;
  /** os.hostname() of the holder: a container's own name, so pids of another one are not ours. */
  hostname?: string;
  /** /proc/sys/kernel/random/boot_id of the holder's kernel, when it could read it. */
  bootId?: string;
}

export interface LockOptions {
  /** How often the holder refreshes the lock file's mtime (its heartbeat). */
  heartbeatMs?: number;
  /** A lock of another host whose heartbeat is older than this is stale. */
  staleAfterMs?: number;
  /** Whether to wait once for a fresh lock of another host to turn stale before refusing. */
  waitForStale?: boolean;
}

export const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

/** Tokens of the locks this process holds now (or is about to link into place). */
const heldTokens = new Set<string>();

/** Where this process runs: a lock recorded elsewhere cannot be judged by its pid. */
export function thisHost(): { hostname: string; bootId?: string } {
  return { hostname: hostname(), ...(BOOT_ID ? { bootId: BOOT_ID } : {}) };
}
const BOOT_ID = readBootId();

/**
 * PGlite's files must have one owner; a second process would corrupt them. The lock file holds
 * the owner's host (hostname and kernel boot id), pid, start time and a random token, and the
 * owner refreshes its mtime every few seconds. A lock of this host is judged by its pid: one left
 * by a process killed with -9 is taken over even when the pid is alive again, reused by this very
 * process (PID 1 in a container restarts as PID 1) or by an unrelated one; only a live holder that
 * is still the process which wrote the lock refuses. A lock of another host or container (whose
 * PID 1 is not ours) is taken over only once its heartbeat is older than staleAfterMs.
 */
export async function lockDataDir(
  dataDir: string,
  logger: Pick<Logger, 'warn'> = new Logger('EmbeddedStore'),
  options: LockOptions = {},
): Promise<() => Promise<void>> {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const staleAfterMs = options.staleAfterMs ?? 3 * heartbeatMs;
  const lockFile = join(dataDir, LOCK_FILE);
  const me: LockHolder & { token: string } = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    token: randomBytes(16).toString('hex'),
    ...thisHost(),
  };
  let waited = !(options.waitForStale ?? true);
  for (let attempt = 0; attempt < 5; attempt++) {
    const handle = await tryCreate(lockFile, me);
    if (handle) return holdLock(lockFile, me.token, handle, heartbeatMs);
    const seen = await readLock(lockFile);
    if (seen === undefined) continue; // released meanwhile
    const holder = parseLock(seen.text);
    const ageMs = Date.now() - seen.mtimeMs;
    const verdict = holder
      ? judge(holder, ageMs, staleAfterMs)
      : { stale: true, why: 'it holds no pid' };
    if (!verdict.stale) {
      const where = holder && !sameHost(holder) ? ` on host ${holder.hostname}` : '';
      const beat = where
        ? ` (last heartbeat ${seconds(ageMs)} ago; stale after ${seconds(staleAfterMs - ageMs)} more without one)`
        : '';
      if (where && !waited) {
        // A replacement container gets a new hostname, so after kill -9 its predecessor's lock
        // looks foreign until stale: wait once instead of crash-looping; a live holder still refuses.
        waited = true;
        const waitMs = Math.min(Math.max(staleAfterMs - ageMs, 0), staleAfterMs) + 100;
        logger.warn(
          `${lockFile} is held by process ${holder?.pid}${where}${beat}; waiting ${seconds(waitMs)} for it to turn stale`,
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        attempt--;
        continue;
      }
      throw new Error(
        `DATA_DIR ${dataDir} is in use by process ${holder?.pid}${where}${beat}; stop it first (the embedded store has one owner)`,
      );
    }
    if (await removeIfUnchanged(lockFile, seen)) {
      logger.warn(`took over the lock ${lockFile}: ${verdict.why}`);
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

/**
 * Creates the lock atomically: the whole content goes to a temporary file first, which link()
 * puts in place or fails with EEXIST, so no reader ever sees the lock file empty or half written.
 * Returns an open handle on the lock (for the heartbeat), or undefined when the lock is taken.
 */
async function tryCreate(lockFile: string, me: LockHolder & { token: string }) {
  const temporary = `${lockFile}.${me.token}.tmp`;
  const handle = await open(temporary, 'wx');
  // Known before the lock is visible: this process must not judge its own new lock stale.
  heldTokens.add(me.token);
  let linked = false;
  try {
    await handle.writeFile(JSON.stringify(me));
    await handle.sync();
    await link(temporary, lockFile);
    linked = true;
    return handle;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return undefined;
  } finally {
    if (!linked) {
      heldTokens.delete(me.token);
      await handle.close();
    }
    await unlink(temporary).catch(() => undefined);
  }
}

/** Keeps the heartbeat until released; the release removes the lock if it is still ours. */
function holdLock(lockFile: string, token: string, handle: FileHandle, heartbeatMs: number) {
  // Through the handle: should the lock ever be taken over, the beat touches only our old inode.
  const timer = setInterval(() => {
    const now = new Date();
    handle.utimes(now, now).catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    heldTokens.delete(token);
    await handle.close().catch(() => undefined);
    const current = await readFile(lockFile, 'utf8').catch(() => undefined);
    if (current !== undefined && parseLock(current)?.token === token) {
      await rm(lockFile, { force: true });
    }
  };
}

/** The lock's content and mtime, read through one handle (so of one file), or undefined if none. */
async function readLock(lockFile: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(lockFile, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { mtimeMs } = await handle.stat();
    return { text: await handle.readFile('utf8'), mtimeMs };
  } finally {
    await handle.close();
  }
}

/** Whether the holder runs on this host and kernel, so its pid means something here. */
function sameHost(holder: LockHolder): boolean {
  if (holder.hostname === undefined) return true; // a lock of an older release
  const here = thisHost();
  return holder.hostname === here.hostname && holder.bootId === here.bootId;
}

/**
 * Whether the recorded holder is gone (and why), or still the live process that wrote it. A
 * holder on another host is judged by the age of its heartbeat (the lock file's mtime).
 */
export function judge(
  holder: LockHolder,
  heartbeatAgeMs = 0,
  staleAfterMs = STALE_AFTER_MS,
): { stale: boolean; why: string } {
  const { pid } = holder;
  if (!sameHost(holder)) {
    return heartbeatAgeMs > staleAfterMs
      ? {
          stale: true,
          why: `process ${pid} on host ${holder.hostname} last beat ${seconds(heartbeatAgeMs)} ago`,
        }
      : { stale: false, why: '' };
  }
  if (pid === process.pid) {
    if (holder.token && heldTokens.has(holder.token)) return { stale: false, why: '' };
    return { stale: true, why: `pid ${pid} is this process, which did not write the lock` };
  }
  if (!isAlive(pid)) return { stale: true, why: `process ${pid} is gone` };
  const startTime = processStartTime(pid);
  if (startTime === undefined) return { stale: false, why: '' }; // no /proc: alive is all we know
  if (holder.startTime !== undefined) {
    return holder.startTime === startTime
      ? { stale: false, why: '' }
      : { stale: true, why: `pid ${pid} now belongs to a process started later` };
  }
  // A lock of an older release holds only a pid: the holder must at least be a Node process.
  return isNodeProcess(pid)
    ? { stale: false, why: '' }
    : { stale: true, why: `process ${pid} is not a Node.js process` };
}

export function parseLock(text: string): LockHolder | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const parsed = JSON.parse(trimmed) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || !Number.isSafeInteger(parsed.pid) || parsed.pid <= 0)
      return undefined;
    return {
      pid: parsed.pid,
      ...(typeof parsed.startTime === 'string' ? { startTime: parsed.startTime } : {}),
      ...(typeof parsed.token === 'string' ? { token: parsed.token } : {}),
      ...(typeof parsed.hostname === 'string' ? { hostname: parsed.hostname } : {}),
      ...(typeof parsed.bootId === 'string' ? { bootId: parsed.bootId } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Removes the stale lock only if it is still the one judged (same content, no heartbeat since):
 * it is renamed aside first (atomic), and put back when it changed meanwhile.
 */
async function removeIfUnchanged(
  lockFile: string,
  judged: { text: string; mtimeMs: number },
): Promise<boolean> {
  const aside = `${lockFile}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = await readLock(aside);
  const unchanged = moved?.text === judged.text && moved.mtimeMs === judged.mtimeMs;
  if (!unchanged) await link(aside, lockFile).catch(() => undefined);
  await rm(aside, { force: true });
  return unchanged;
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function isNodeProcess(pid: number): boolean {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return /node/i.test(basename(argv0));
  } catch {
    return true; // cannot tell: keep refusing
  }
}
