import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { unhandled } from '../../ledger/commands/decider';
import type { RecordedEvent } from '../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../ledger/projections/projection';
import {
  ALERT_EVENT_TYPES,
  type AlertEvent,
  MONITORING_SIGNAL_EVENT_TYPES,
  type MonitoringSignalEvent,
} from '../monitoring.events';

/**
 * `monitoring_signals` (one row per signal, written once) and `alerts` (one row per alert, its
 * resolution applied only past the revision it has), so a replay from zero ends with the same rows.
 */
@Injectable()
@ReadModelProjection()
export class MonitoringProjection implements Projection {
  readonly name = 'monitoring';
  readonly eventTypes = [...MONITORING_SIGNAL_EVENT_TYPES, ...ALERT_EVENT_TYPES];
  readonly tables = ['monitoring_signals', 'alerts'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as
      MonitoringSignalEvent | AlertEvent;
    switch (event.type) {
      case 'DriftDetected':
      case 'PerformanceDegraded': {
        const d = event.data;
        const drift = event.type === 'DriftDetected';
        await manager.query(
          `INSERT INTO monitoring_signals (signal_id, deployment_id, kind, model, environment,
             version, feature, metric, value, threshold, higher_is_better, breached, window_from,
             window_to, detected_by, detected_at, event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
           ON CONFLICT (signal_id) DO NOTHING`,
          [
            d.signalId,
            d.deploymentId,
            drift ? 'drift' : 'performance',
            d.model,
            d.environment,
            d.version,
            event.type === 'DriftDetected' ? event.data.feature : null,
            d.metric,
            d.value,
            d.threshold,
            event.type === 'PerformanceDegraded' ? event.data.higherIsBetter : null,
            d.breached,
            d.window.from,
            d.window.to,
            d.detectedBy,
            d.detectedAt,
            recorded.id,
          ],
        );
        return;
      }
      case 'AlertRaised': {
        const d = event.data;
        await manager.query(
          `INSERT INTO alerts (alert_id, deployment_id, model, environment, severity, kind, summary,
             cause_event_id, status, raised_by, raised_at, raised_event_id, last_revision)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $12)
           ON CONFLICT (alert_id) DO NOTHING`,
          [
            d.alertId,
            d.deploymentId,
            d.model,
            d.environment,
            d.severity,
            d.kind,
            d.summary,
            d.causeEventId,
            d.raisedBy,
            d.raisedAt,
            recorded.id,
            recorded.revision.toString(),
          ],
        );
        return;
      }
      case 'AlertResolved': {
        const d = event.data;
        await manager.query(
          `UPDATE alerts SET status = 'resolved', resolution = $2, resolved_by = $3,
             resolved_at = $4, resolved_event_id = $5, last_revision = $6
           WHERE alert_id = $1 AND last_revision < $6`,
          [
            d.alertId,
            d.resolution,
            d.resolvedBy,
            d.resolvedAt,
            recorded.id,
            recorded.revision.toString(),
          ],
        );
        return;
      }
      default:
        return unhandled(event);
    }
  }
}
