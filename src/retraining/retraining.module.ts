import { Global, Module } from '@nestjs/common';
import { TriggerRetrainingHttpController } from './commands/trigger-retraining.http.controller';
import { RetrainingTriggersHttpController } from './queries/retraining-triggers.http.controller';
import { RetrainingCadenceCheck } from './retraining-cadence';
import { RetrainingCadenceSchedule } from './retraining-cadence.schedule';
import { RetrainingTrigger } from './retraining-trigger';

/**
 * Retraining triggers (README, "Retraining triggers"): a breach or a cadence records
 * RetrainingTriggered. Global, so monitoring reaches `RetrainingTrigger` without importing it.
 * The cadence (CadencePolicy) is provided by the monitoring module, whose policy sets it.
 */
@Global()
@Module({
  controllers: [TriggerRetrainingHttpController, RetrainingTriggersHttpController],
  providers: [RetrainingTrigger, RetrainingCadenceCheck, RetrainingCadenceSchedule],
  exports: [RetrainingTrigger, RetrainingCadenceCheck],
})
export class RetrainingModule {}
