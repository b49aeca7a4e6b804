import { execFile } from 'node:child_process';
import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, newestSource } from '../../scripts/build-sources';

/**
 * The suites start the service and the command-line tools as processes of their own, dozens of
 * times a run. Through ts-node each such process compiles the service's sources again (several
 * CPU seconds each); instead, Jest's global setup compiles them once, without type checking
 * (`tsc --noCheck`: the sources are isolated modules, so the output is what `npm run build`
 * emits), into `.test-build/`, beside `dist/` so that paths found from a file's directory resolve
 * as they do in the built service (README "Tests"). The workers find it in this variable.
 */
export const TEST_BUILD_VARIABLE = 'ATTEST_TEST_BUILD';

const OUT = join(ROOT, '.test-build');
const STAMP = join(OUT, '.stamp');

/**
 * Compiles the sources into `.test-build/` unless it is newer than every source `npm run build`
 * reads (the same rule as scripts/run.js: editing a spec compiles nothing); its path. The compiler
 * runs as a child process, so the global setup makes the embedded seed meanwhile.
 */
export async function ensureTestBuild(): Promise<string> {
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs > newestSource()) return OUT;
  const started = new Date();
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    await promisify(execFile)(
      process.execPath,
      [
        tsc,
        '-p',
        'tsconfig.build.json',
        '--noCheck',
        '--outDir',
        OUT,
        '--tsBuildInfoFile',
        join(OUT, '.tsbuildinfo'),
      ],
      { cwd: ROOT },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`compiling the sources for the suites failed:\n${stdout}${stderr}`);
  }
  // Dated when the compilation started: a source saved during it is newer, and compiled next time.
  writeFileSync(STAMP, started.toISOString());
  utimesSync(STAMP, started, started);
  return OUT;
}

/** The compiled file of a source entry point: `src/main.ts` → `.test-build/src/main.js`. */
export function builtEntry(source: string): string {
  const build = process.env[TEST_BUILD_VARIABLE];
  if (!build) throw new Error(`${TEST_BUILD_VARIABLE} is unset: run the suites through Jest`);
  return join(build, source.replace(/\.ts$/, '.js'));
}
