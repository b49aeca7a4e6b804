import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export const LOCK_FILE = 'attest.pid';

/** What the lock file records about its holder: enough to tell it from a reused pid. */
export interface LockHolder {
  pid: number;
  /** The holder's start time in clock ticks since boot (Linux /proc/<pid>/stat field 22). */
  startTime?: string;
  /** Random per lock: tells this process's own live locks from one left by an earlier life. */
  token?: string;
}

/** Tokens of the locks this process holds now. */
const heldTokens = new Set<string>();

/**
 * PGlite's files must have one owner; a second process would corrupt them. The lock file holds
 * the owner's pid, start time and a random token, so a lock left by a process killed with -9 is
 * taken over even when the pid is alive again: reused by this very process (PID 1 in a container
 * restarts as PID 1) or by an unrelated one. Only a live holder that is still the process which
 * wrote the lock refuses.
 */
export async function lockDataDir(
  dataDir: string,
  logger: Pick<Logger, 'warn'> = new Logger('EmbeddedStore'),
): Promise<() => Promise<void>> {
  const lockFile = join(dataDir, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    token: randomBytes(16).toString('hex'),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // 'wx' creates the file or fails if it exists: two processes cannot both take the lock.
      await writeFile(lockFile, JSON.stringify(me), { flag: 'wx' });
      heldTokens.add(me.token as string);
      return async () => {
        heldTokens.delete(me.token as string);
        const current = await readFile(lockFile, 'utf8').catch(() => undefined);
        if (current !== undefined && parseLock(current)?.token === me.token) {
          await rm(lockFile, { force: true });
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readFile(lockFile, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released meanwhile
    const holder = parseLock(text);
    const verdict = holder ? judge(holder) : { stale: true, why: 'it holds no pid' };
    if (!verdict.stale) {
      throw new Error(
        `DATA_DIR ${dataDir} is in use by process ${holder?.pid}; stop it first (the embedded store has one owner)`,
      );
    }
    if (await removeIfUnchanged(lockFile, text)) {
      logger.warn(`took over the lock ${lockFile}: ${verdict.why}`);
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

/** Whether the recorded holder is gone (and why), or still the live process that wrote it. */
export function judge(holder: LockHolder): { stale: boolean; why: string } {
  const { pid } = holder;
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
    };
  } catch {
    return undefined;
  }
}

/**
 * Removes the stale lock only if it is still the one judged: it is renamed aside first (atomic),
 * and put back when another process replaced it meanwhile with a lock of its own.
 */
async function removeIfUnchanged(lockFile: string, judged: string): Promise<boolean> {
  const aside = `${lockFile}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== judged) await link(aside, lockFile).catch(() => undefined);
  await rm(aside, { force: true });
  return moved === judged;
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
