import { Module } from '@nestjs/common';
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

/** Drift and performance signals, alerts, and the per-deployment monitoring view (read SQL only). */
@Module({
  controllers: [
    RecordDriftHttpController,
    RecordPerformanceHttpController,
    RaiseAlertHttpController,
    ResolveAlertHttpController,
    DeploymentMonitoringHttpController,
    AlertsHttpController,
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
  ],
})
export class MonitoringModule {}
