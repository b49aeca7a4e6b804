import type { GlobalConfig, ProjectConfig } from 'jest';
import { SEED_VARIABLE, ensureMigratedSeed } from './embedded-seed';
import { TEST_BUILD_VARIABLE, ensureTestBuild } from './test-build';

/**
 * Runs once before any test file: makes (or finds, from an earlier run with the same migrations)
 * the migrated embedded store every in-memory test app starts from, and compiles the sources
 * that processes spawned by the suites run (unless compiled since they last changed). Workers start after this and
 * inherit the variable.
 */
export default async function globalSetup(
  _globalConfig: GlobalConfig,
  projectConfig: ProjectConfig,
): Promise<void> {
  // Both at once: the compiler is a child process, the seed is made in this one.
  const [seed, build] = await Promise.all([
    ensureMigratedSeed(projectConfig.cacheDirectory),
    // The compiled sources that spawned services and command-line tools run from (test-build.ts).
    ensureTestBuild(),
  ]);
  process.env[SEED_VARIABLE] = seed;
  process.env[TEST_BUILD_VARIABLE] = build;
}
