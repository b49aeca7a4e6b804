import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { START_PROJECTIONS } from '../ledger/ledger.module';
import { DatasetRetentionSweep, type SweepOutcome } from './dataset-retention-sweep';

/**
 * Runs the retention sweep every DATASET_SWEEP_INTERVAL_MS while the service runs (README,
 * "Dataset data"), and on request (POST /datasets/retention-sweeps). One sweep at a time: a tick
 * that finds one under way skips, and a request waits for it and then sweeps again itself, so
 * its answer is what its own sweep purged.
 */
@Injectable()
export class DatasetRetentionSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionSweep');
  private timer?: NodeJS.Timeout;
  /** The sweep under way, if any. */
  private running?: Promise<SweepOutcome>;
  /** The last sweep asked for: the next waits for it. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly sweep: DatasetRetentionSweep,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Only a serving process sweeps on its own: not the CLI's short-lived ones.
    @Inject(START_PROJECTIONS) private readonly serving: boolean,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.datasets.sweepIntervalMs;
    if (!this.serving || every === 0) return;
    this.timer = setInterval(() => {
      if (this.running || this.stopped) return;
      this.sweepNow().catch((error: unknown) => {
        this.logger.warn(`the retention sweep failed: ${(error as Error).message}`);
      });
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.queue.catch(() => undefined);
  }

  /** One sweep, after any under way; what it purged. */
  sweepNow(): Promise<SweepOutcome> {
    const next = this.queue
      .catch(() => undefined)
      .then(() => {
        this.running = this.sweep.run();
        return this.running;
      })
      .finally(() => {
        this.running = undefined;
      });
    this.queue = next;
    return next.then((outcome) => {
      if (outcome.purged.length > 0) {
        this.logger.log(`purged the data of ${outcome.purged.join(', ')}`);
      }
      return outcome;
    });
  }

  /** Whether a sweep is under way now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Whether the service sweeps on its own, every DATASET_SWEEP_INTERVAL_MS. */
  get scheduled(): boolean {
    return this.timer !== undefined && !this.stopped;
  }
}
