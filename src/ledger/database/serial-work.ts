import type { Logger } from '@nestjs/common';
import { classifyDatabaseError } from './database-errors';

export type SerialWorkOptions<T> = {
  /** The pass the timer runs. */
  pass: () => Promise<T>;
  /** How long to wait after a timed pass before the next, asked after each pass. */
  nextDelayMs: () => number;
  logger: Pick<Logger, 'warn'>;
  /** The warning a failed timed pass logs. */
  failure: string;
  /**
   * Whether a timed pass that fails because the database is unavailable stays quiet (default):
   * an outage is logged once where requests meet it (DatabaseOutage).
   */
  quietOnOutage?: boolean;
};

/**
 * A background worker's passes: one at a time in the process, the next timed one scheduled after
 * each (on an unref'd timer, so it keeps no process alive), none after close. A failed timed pass
 * is logged as a warning unless the database is away or the worker is closing.
 */
export class SerialWork<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;
  private closed = false;

  constructor(private readonly options: SerialWorkOptions<T>) {}

  /** Whether close() was called: a pass under way stops at its next step. */
  get closing(): boolean {
    return this.closed;
  }

  /**
   * Runs a pass (the timer's, or the one given) once any under way has ended; resolves with this
   * pass's own result.
   */
  async run(pass: () => Promise<T> = this.options.pass): Promise<T> {
    while (this.running) await this.running.catch(() => undefined);
    const current = pass();
    this.running = current;
    try {
      return await current;
    } finally {
      if (this.running === current) this.running = undefined;
    }
  }

  /** Runs the timer's pass after `delayMs`, and again after each, until close. */
  start(delayMs = 0): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.run()
        .catch((error: unknown) => {
          const quiet =
            this.options.quietOnOutage !== false && classifyDatabaseError(error) === 'unavailable';
          if (!this.closed && !quiet)
            this.options.logger.warn({ err: error }, this.options.failure);
        })
        .finally(() => this.start(this.options.nextDelayMs()));
    }, delayMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for the pass under way, if any. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
