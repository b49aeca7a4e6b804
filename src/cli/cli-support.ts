import { AppConfig, ConfigError, loadConfig, loadDotEnv } from '../config/app-config';
import type { DatabaseHandle } from '../ledger/database/database-handle';

/**
 * Opens the configured store (PostgreSQL or the embedded one under DATA_DIR), migrated unless
 * told not to. The store's modules (PGlite, TypeORM, Nest) load here, not when a command that
 * needs no store (`npm run token`) imports this file.
 */
export async function openConfiguredStore(
  options: { migrate: boolean } = { migrate: true },
): Promise<{ config: AppConfig; handle: DatabaseHandle }> {
  const config = loadConfig();
  const { connectToServer, startEmbedded } = await import('../ledger/database/database-handle');
  const handle = config.databaseUrl
    ? connectToServer(config.databaseUrl)
    : await startEmbedded(config.dataDir);
  if (options.migrate) await (await import('../ledger/database/migrate')).migrate(handle.url);
  return { config, handle };
}

/** Runs a command-line entry point: one clear line on failure, exit code 1 (2 for bad configuration). */
export function runCli(main: () => Promise<number>): void {
  loadDotEnv();
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`attest: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    },
  );
}
