import { Global, Module } from '@nestjs/common';
import { RetrainingTrigger } from './retraining-trigger';

/**
 * Retraining triggers (README, "Retraining triggers"): a breach or a cadence records
 * RetrainingTriggered. Global, so monitoring reaches `RetrainingTrigger` without importing it.
 */
@Global()
@Module({
  providers: [RetrainingTrigger],
  exports: [RetrainingTrigger],
})
export class RetrainingModule {}
