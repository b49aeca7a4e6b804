import { Global, Module } from '@nestjs/common';
import { TriggerRetrainingHttpController } from './commands/trigger-retraining.http.controller';
import { RetrainingTriggersHttpController } from './queries/retraining-triggers.http.controller';
import { MonitoringPolicies } from '../monitoring/monitoring-policies';
import { CadencePolicy, RetrainingCadenceCheck } from './retraining-cadence';
import { RetrainingCadenceSchedule } from './retraining-cadence.schedule';
import { RetrainingTrigger } from './retraining-trigger';

/**
 * Retraining triggers (README, "Retraining triggers"): a breach or a cadence records
 * RetrainingTriggered. Global, so monitoring reaches `RetrainingTrigger` without importing it.
 */
@Global()
@Module({
  controllers: [TriggerRetrainingHttpController, RetrainingTriggersHttpController],
  providers: [
    RetrainingTrigger,
    RetrainingCadenceCheck,
    RetrainingCadenceSchedule,
    {
      provide: CadencePolicy,
      inject: [MonitoringPolicies],
      useFactory: (policies: MonitoringPolicies): CadencePolicy => ({
        retrainEveryDays: async (model) => (await policies.effectiveFor(model)).retrainEveryDays,
      }),
    },
  ],
  exports: [RetrainingTrigger, RetrainingCadenceCheck],
})
export class RetrainingModule {}
