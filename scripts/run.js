#!/usr/bin/env node
/*
 * `node [node flags] scripts/run.js <built entry.js> [args...]`: runs a built entry point in this
 * very process, building first only when dist/ is missing or older than the sources (README
 * "Command line"). Running in-process matters for `npm start`: with `exec` in the npm script, the
 * service is npm's own child, so a SIGTERM or SIGINT sent to npm reaches it and npm exits with
 * the service's status, instead of a shell dying and leaving the service running.
 */
'use strict';

const { spawn } = require('node:child_process');
const { existsSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { ROOT, newestSource } = require('./build-sources');
const { join, relative, resolve } = require('node:path');

/** Touched after every successful build: the sources are older than it when dist is current. */
const STAMP = join(ROOT, 'dist', '.build-stamp');

/** Why a build is needed, or undefined when dist is current. */
function staleness(entry, newest) {
  if (!existsSync(STAMP)) return 'dist has not been built here';
  if (!existsSync(entry)) return `${relative(ROOT, entry)} is missing`;
  // 1 ms of slack: utimes stores the stamp's time as a float of seconds, rounded.
  if (newest > statSync(STAMP).mtimeMs + 1) return 'the sources changed since the last build';
  return undefined;
}

/**
 * `npm run build`, its output on stderr (stdout stays the command's own: `$(npm run -s token)`).
 * SIGINT/SIGTERM while it runs stop the build (its whole process group) and end this process.
 */
function build(reason, newest) {
  const started = Date.now();
  process.stderr.write(`attest: building… (${reason}; \`npm run build\`)\n`);
  const npm = process.env.npm_execpath;
  const [command, args] = npm
    ? [process.execPath, [npm, 'run', 'build', '--silent']]
    : ['npm', ['run', 'build', '--silent']];
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', process.stderr, process.stderr],
      detached: true,
    });
    const stop = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    child.on('error', (error) => {
      process.stderr.write(`attest: the build did not start: ${error.message}\n`);
      done(1);
    });
    child.on('exit', (code, signal) => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      if (signal) {
        process.kill(process.pid, signal);
        return;
      }
      if (code !== 0) {
        process.stderr.write(`attest: the build failed (exit code ${code})\n`);
        done(code ?? 1);
        return;
      }
      // As new as the build's start (a source saved while it ran is newer) or as the newest
      // source it saw, should that be dated in the future (clock skew, unpacked archives).
      const stamp = new Date(Math.max(started, newest));
      if (!existsSync(STAMP)) writeFileSync(STAMP, '');
      utimesSync(STAMP, stamp, stamp);
      process.stderr.write(`attest: built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      done(0);
    });
  });
}

async function main() {
  const [target, ...args] = process.argv.slice(2);
  if (!target) {
    process.stderr.write('usage: node scripts/run.js <dist/…/entry.js> [args...]\n');
    process.exit(2);
  }
  const entry = resolve(ROOT, target);
  const newest = newestSource();
  const reason = staleness(entry, newest);
  if (reason) {
    const code = await build(reason, newest);
    if (code !== 0) process.exit(code);
  }
  // The entry sees the arguments it would see as `node <entry> args...`.
  process.argv = [process.argv[0], entry, ...args];
  require(entry);
}

void main();
