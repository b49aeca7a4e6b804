import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DATABASE_HANDLE, type DatabaseHandle } from './database-handle';
import { classifyDatabaseError, describeDatabaseError } from './database-errors';

const PROBE_INTERVAL_MS = 1000;

/**
 * Turns the many failures of one database outage (every request, every pooled connection, the
 * LISTEN connection) into one log line when it starts and one when the database answers again,
 * found by probing it once a second while it is down.
 */
@Injectable()
export class DatabaseOutage implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private downSince?: number;
  private failures = 0;
  private probeTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(@Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle) {}

  /** Whether an outage is under way. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  /**
   * Notes an error seen anywhere; true when it says the database is unavailable, so the caller
   * need not log it (the first of an outage is logged here, the rest only counted).
   */
  noteError(error: unknown, where: string): boolean {
    if (classifyDatabaseError(error) !== 'unavailable') return false;
    this.failures++;
    if (this.downSince === undefined && !this.closed) {
      this.downSince = Date.now();
      this.logger.error(
        `database unavailable (first seen by ${where}: ${describeDatabaseError(error)}); answering 503 with Retry-After until it is back`,
      );
      this.probeLater();
    }
    return true;
  }

  onApplicationShutdown(): void {
    this.closed = true;
    clearTimeout(this.probeTimer);
  }

  private probeLater(): void {
    this.probeTimer = setTimeout(() => void this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.closed || this.downSince === undefined) return;
    const client = new Client({ connectionString: this.handle.url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined); // a probe that fails is answered by its query's rejection
    try {
      await client.connect();
      await client.query('SELECT 1');
      const seconds = ((Date.now() - this.downSince) / 1000).toFixed(1);
      this.logger.log(
        `database available again after ${seconds} s (${this.failures} failed operations meanwhile)`,
      );
      this.downSince = undefined;
      this.failures = 0;
    } catch {
      this.probeLater();
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
