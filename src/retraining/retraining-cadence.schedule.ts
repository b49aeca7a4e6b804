import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseOutage } from '../ledger/database/database-outage';
import { SerialWork } from '../ledger/database/serial-work';
import { START_PROJECTIONS } from '../ledger/ledger.module';
import { type DueCadence, RetrainingCadenceCheck } from './retraining-cadence';

/**
 * Checks retraining cadences every RETRAINING_CHECK_INTERVAL_MS while the service runs (README,
 * "Retraining triggers"); 0 turns it off. One check at a time, the next timed after each.
 */
@Injectable()
export class RetrainingCadenceSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetrainingCadence');
  private readonly work = new SerialWork<DueCadence[]>({
    pass: () => this.check(),
    nextDelayMs: () => this.config.monitoring.cadenceCheckIntervalMs,
    logger: this.logger,
    failure: 'the retraining cadence check failed',
  });

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
    if (this.serving && every > 0) this.work.start(every);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.work.close();
  }

  /** The timer's pass: none while the database is known to be away. */
  private async check(): Promise<DueCadence[]> {
    if (this.outage.down) return [];
    try {
      const due = await this.cadence.check();
      const recorded = due.filter((cadence) => cadence.recorded);
      if (recorded.length > 0) {
        this.logger.log(`retraining due for ${recorded.map((c) => c.model).join(', ')}`);
      }
      return due;
    } catch (error) {
      this.outage.noteError(error, 'the retraining cadence check');
      throw error;
    }
  }
}
