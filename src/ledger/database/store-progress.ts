import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { type AppConfig, MEMORY_DATA_DIR } from '../../config/app-config';
import type { MigrationStep } from './migrate';

/**
 * Start-up progress of the store: opening it and each migration, so a slow first start does not
 * look like a hang (README "Quick start"). Nest holds its own log lines back until the whole
 * application is built (bufferLogs), so these go straight to pino, in the same JSON lines, level
 * and `context` field as every other line.
 */
export class StoreProgress {
  private readonly log: pino.Logger;

  constructor(
    private readonly config: AppConfig,
    stream?: NodeJS.WritableStream,
  ) {
    const logger = stream
      ? pino({ level: config.logLevel }, stream as pino.DestinationStream)
      : pino({ level: config.logLevel });
    this.log = logger.child({ context: 'Database' });
  }

  /** Logs that the store opens; the function returned logs that it is open. */
  opening(): () => void {
    const started = Date.now();
    const { dataDir, databaseUrl } = this.config;
    if (databaseUrl) {
      this.log.info('using PostgreSQL at DATABASE_URL');
      return () => undefined;
    }
    if (dataDir === MEMORY_DATA_DIR) {
      this.log.info('opening an in-memory embedded store (DATA_DIR=memory://: nothing is kept)');
    } else if (!existsSync(join(dataDir, 'pglite', 'PG_VERSION'))) {
      // The same test startEmbedded makes before it creates the store.
      this.log.info(
        `creating the embedded store in ${dataDir} (first start; this takes a while, up to a minute or two on a busy machine)`,
      );
    } else {
      this.log.info(`opening the embedded store in ${dataDir}`);
    }
    return () => this.log.info(`embedded store open in ${seconds(started)}`);
  }

  /** Logs each pending migration as it starts; the function returned logs the outcome. */
  migrating(): { step: (step: MigrationStep) => void; done: (applied: string[]) => void } {
    const started = Date.now();
    return {
      step: ({ index, total, name }) => this.log.info(`migration ${index} of ${total}: ${name}`),
      done: (applied) =>
        this.log.info(
          applied.length === 0
            ? 'schema up to date; no migration to run'
            : `schema up to date: ${applied.length} migration(s) applied in ${seconds(started)}`,
        ),
    };
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
