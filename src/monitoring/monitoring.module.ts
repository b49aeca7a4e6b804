import { Global, Module } from '@nestjs/common';
import { RaiseAlertHandler } from './commands/raise-alert/raise-alert.handler';
import { RaiseAlertHttpController } from './commands/raise-alert/raise-alert.http.controller';
import { RecordDriftHandler } from './commands/record-drift/record-drift.handler';
import { RecordDriftHttpController } from './commands/record-drift/record-drift.http.controller';
import { RecordPerformanceHandler } from './commands/record-performance/record-performance.handler';
import { RecordPerformanceHttpController } from './commands/record-performance/record-performance.http.controller';
import { ResolveAlertHandler } from './commands/resolve-alert/resolve-alert.handler';
import { ResolveAlertHttpController } from './commands/resolve-alert/resolve-alert.http.controller';
import {
  GetAlertQueryHandler,
  ListAlertsQueryHandler,
} from './queries/alerts/alerts.query-handler';
import { AlertsHttpController } from './queries/alerts/alerts.http.controller';
import { DeploymentMonitoringHttpController } from './queries/deployment-monitoring/deployment-monitoring.http.controller';
import { GetDeploymentMonitoringQueryHandler } from './queries/deployment-monitoring/deployment-monitoring.query-handler';
import { MonitoringProjection } from './queries/monitoring.projection';
import { SetMonitoringPolicyHandler } from './commands/set-monitoring-policy/set-monitoring-policy.handler';
import { SetMonitoringPolicyHttpController } from './commands/set-monitoring-policy/set-monitoring-policy.http.controller';
import { MonitoringPolicyHttpController } from './queries/monitoring-policy/monitoring-policy.http.controller';
import { GetMonitoringPolicyQueryHandler } from './queries/monitoring-policy/get-monitoring-policy.query-handler';
import { MonitoringPolicies } from './monitoring-policies';
import { BreachResponder } from './breach-responder';
import { DriftMonitor } from './drift/drift-monitor';
import { PerformanceMonitor } from './performance/performance-monitor';
import { MonitoringChecksProjection } from './drift/monitoring-checks.projection';
import { CadencePolicy } from '../retraining/retraining-cadence';
import { DeploymentHistoryReader } from '../deployments/queries/deployments/deployment-history.reader';
import { DeploymentsReader } from '../deployments/queries/deployments/deployments.reader';
import { PredictionsReader } from '../predictions/queries/prediction-batches/predictions.reader';

/**
 * Drift and performance signals, alerts, the per-deployment monitoring view (read SQL only), and
 * monitoring by Attest: the monitoring policy (README, "Monitoring by Attest"). Global so the
 * retraining cadence and the outcome routes reach MonitoringPolicies.
 */
@Global()
@Module({
  controllers: [
    RecordDriftHttpController,
    RecordPerformanceHttpController,
    RaiseAlertHttpController,
    ResolveAlertHttpController,
    DeploymentMonitoringHttpController,
    AlertsHttpController,
    SetMonitoringPolicyHttpController,
    MonitoringPolicyHttpController,
  ],
  providers: [
    RecordDriftHandler,
    RecordPerformanceHandler,
    RaiseAlertHandler,
    ResolveAlertHandler,
    MonitoringProjection,
    GetDeploymentMonitoringQueryHandler,
    ListAlertsQueryHandler,
    GetAlertQueryHandler,
    SetMonitoringPolicyHandler,
    GetMonitoringPolicyQueryHandler,
    MonitoringPolicies,
    MonitoringChecksProjection,
    DriftMonitor,
    PerformanceMonitor,
    BreachResponder,
    // The read interfaces of the capabilities monitoring reads (docs/architecture.md).
    DeploymentsReader,
    DeploymentHistoryReader,
    PredictionsReader,
    // The retraining cadence is the monitoring policy's retrainEveryDays.
    {
      provide: CadencePolicy,
      inject: [MonitoringPolicies],
      useFactory: (policies: MonitoringPolicies): CadencePolicy => ({
        retrainEveryDays: async (model) => (await policies.effectiveFor(model)).retrainEveryDays,
      }),
    },
  ],
  exports: [MonitoringPolicies, DriftMonitor, PerformanceMonitor, BreachResponder, CadencePolicy],
})
export class MonitoringModule {}
