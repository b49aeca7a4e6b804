import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseOutage } from '../ledger/database/database-outage';
import { START_PROJECTIONS } from '../ledger/ledger.module';
import { type DueCadence, RetrainingCadenceCheck } from './retraining-cadence';

/**
 * Checks retraining cadences every RETRAINING_CHECK_INTERVAL_MS while the service runs (README,
 * "Retraining triggers"); 0 turns it off. One check at a time: a tick that finds one under way
 * skips it.
 */
@Injectable()
export class RetrainingCadenceSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetrainingCadence');
  private timer?: NodeJS.Timeout;
  private running?: Promise<DueCadence[]>;

  constructor(
    private readonly cadence: RetrainingCadenceCheck,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Only a serving process checks on its own: not the CLI's short-lived ones.
    @Inject(START_PROJECTIONS) private readonly serving: boolean,
    // An outage is logged once by DatabaseOutage, not by every check that meets it.
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.monitoring.cadenceCheckIntervalMs;
    if (!this.serving || every === 0) return;
    this.timer = setInterval(() => {
      if (this.running || this.outage.down) return;
      this.running = this.cadence
        .check()
        .then((due) => {
          const recorded = due.filter((cadence) => cadence.recorded);
          if (recorded.length > 0) {
            this.logger.log(`retraining due for ${recorded.map((c) => c.model).join(', ')}`);
          }
          return due;
        })
        .catch((error: unknown) => {
          if (!this.outage.noteError(error, 'the retraining cadence check')) {
            this.logger.warn(`the retraining cadence check failed: ${(error as Error).message}`);
          }
          return [];
        })
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
