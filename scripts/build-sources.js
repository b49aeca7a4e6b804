'use strict';
/*
 * What `npm run build` reads, and when it last changed: shared by scripts/run.js (is dist/
 * current?) and the test suites' compiled copy (tests/support/test-build.ts).
 */
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
/** What `npm run build` compiles (tsconfig.build.json's include) and what decides how. */
const SOURCE_DIRS = ['src', 'migrations', 'tests/bench', 'tests/tools', 'tests/chaos'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** tsconfig.build.json leaves the tests out of the build. */
const NOT_BUILT = /\.(spec|int-spec|e2e-spec)\.ts$/;

/** The newest modification time of anything the build reads, in ms. */
function newestSource() {
  let newest = 0;
  const visit = (path) => {
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) visit(child);
      else if (!NOT_BUILT.test(entry.name)) newest = Math.max(newest, statSync(child).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(join(ROOT, dir));
  for (const file of SOURCE_FILES) {
    if (existsSync(join(ROOT, file))) newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
  }
  return newest;
}

module.exports = { ROOT, newestSource };
