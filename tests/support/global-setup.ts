import type { GlobalConfig, ProjectConfig } from 'jest';
import { SEED_VARIABLE, ensureMigratedSeed } from './embedded-seed';

/**
 * Runs once before any test file: makes (or finds, from an earlier run with the same migrations)
 * the migrated embedded store every in-memory test app starts from. Workers start after this and
 * inherit the variable.
 */
export default async function globalSetup(
  _globalConfig: GlobalConfig,
  projectConfig: ProjectConfig,
): Promise<void> {
  process.env[SEED_VARIABLE] = await ensureMigratedSeed(projectConfig.cacheDirectory);
}
