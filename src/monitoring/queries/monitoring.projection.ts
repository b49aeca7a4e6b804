import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { newestBy, recordset } from '../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
} from '../../ledger/projections/projection';
import type { AlertEvent, MonitoringSignalEvent } from '../monitoring.events';

type SignalRow = {
  signal_id: string;
  deployment_id: string;
  kind: 'drift' | 'performance';
  model: string;
  environment: string;
  version: string;
  feature: string | null;
  metric: string;
  value: number;
  threshold: number;
  higher_is_better: boolean | null;
  breached: boolean;
  window_from: string;
  window_to: string;
  detected_by: string;
  detected_at: string;
  event_id: string;
};

/**
 * `monitoring_signals` (one row per signal, written once) and `alerts` (one row per alert, its
 * resolution applied only past the revision it has), so a replay from zero ends with the same
 * rows. A run of one event type is one statement.
 */
@Injectable()
@ReadModelProjection()
export class MonitoringProjection extends DeclaredProjection<MonitoringSignalEvent | AlertEvent> {
  readonly name = 'monitoring';
  readonly tables = ['monitoring_signals', 'alerts'];

  protected readonly handlers: Handlers<MonitoringSignalEvent | AlertEvent> = {
    DriftDetected: (events, { manager }) =>
      insertSignals(
        manager,
        events.map(({ id, data: d }) => ({
          ...signalColumns(d, id),
          kind: 'drift',
          feature: d.feature,
          higher_is_better: null,
        })),
      ),

    PerformanceDegraded: (events, { manager }) =>
      insertSignals(
        manager,
        events.map(({ id, data: d }) => ({
          ...signalColumns(d, id),
          kind: 'performance',
          feature: null,
          higher_is_better: d.higherIsBetter,
        })),
      ),

    AlertRaised: async (events, { manager }) => {
      const rows = events.map(({ id, revision, data: d }) => ({
        alert_id: d.alertId,
        deployment_id: d.deploymentId,
        model: d.model,
        environment: d.environment,
        severity: d.severity,
        kind: d.kind,
        summary: d.summary,
        cause_event_id: d.causeEventId,
        raised_by: d.raisedBy,
        raised_at: d.raisedAt,
        raised_event_id: id,
        last_revision: revision,
      }));
      await manager.query(
        `INSERT INTO alerts (alert_id, deployment_id, model, environment, severity, kind, summary,
           cause_event_id, status, raised_by, raised_at, raised_event_id, last_revision)
         SELECT alert_id, deployment_id, model, environment, severity, kind, summary,
           cause_event_id, 'open', raised_by, raised_at, raised_event_id, last_revision
         FROM jsonb_to_recordset($1::jsonb) AS a(alert_id uuid, deployment_id text, model text,
           environment text, severity text, kind text, summary text, cause_event_id uuid,
           raised_by text, raised_at timestamptz, raised_event_id uuid, last_revision bigint)
         ON CONFLICT (alert_id) DO NOTHING`,
        [recordset(rows)],
      );
    },

    AlertResolved: async (events, { manager }) => {
      const rows = newestBy(events, (event) => event.data.alertId).map(
        ({ id, revision, data: d }) => ({
          alert_id: d.alertId,
          resolution: d.resolution,
          resolved_by: d.resolvedBy,
          resolved_at: d.resolvedAt,
          resolved_event_id: id,
          revision,
        }),
      );
      await manager.query(
        `UPDATE alerts SET status = 'resolved', resolution = r.resolution,
           resolved_by = r.resolved_by, resolved_at = r.resolved_at,
           resolved_event_id = r.resolved_event_id, last_revision = r.revision
         FROM jsonb_to_recordset($1::jsonb) AS r(alert_id uuid, resolution text,
           resolved_by text, resolved_at timestamptz, resolved_event_id uuid, revision bigint)
         WHERE alerts.alert_id = r.alert_id AND alerts.last_revision < r.revision`,
        [recordset(rows)],
      );
    },
  };
}

/** The columns a drift and a performance signal share. */
function signalColumns(
  d: MonitoringSignalEvent['data'],
  eventId: string,
): Omit<SignalRow, 'kind' | 'feature' | 'higher_is_better'> {
  return {
    signal_id: d.signalId,
    deployment_id: d.deploymentId,
    model: d.model,
    environment: d.environment,
    version: d.version,
    metric: d.metric,
    value: d.value,
    threshold: d.threshold,
    breached: d.breached,
    window_from: d.window.from,
    window_to: d.window.to,
    detected_by: d.detectedBy,
    detected_at: d.detectedAt,
    event_id: eventId,
  };
}

async function insertSignals(manager: EntityManager, rows: SignalRow[]): Promise<void> {
  await manager.query(
    `INSERT INTO monitoring_signals (signal_id, deployment_id, kind, model, environment, version,
       feature, metric, value, threshold, higher_is_better, breached, window_from, window_to,
       detected_by, detected_at, event_id)
     SELECT signal_id, deployment_id, kind, model, environment, version, feature, metric, value,
       threshold, higher_is_better, breached, window_from, window_to, detected_by, detected_at,
       event_id
     FROM jsonb_to_recordset($1::jsonb) AS s(signal_id uuid, deployment_id text, kind text,
       model text, environment text, version text, feature text, metric text,
       value double precision, threshold double precision, higher_is_better boolean,
       breached boolean, window_from timestamptz, window_to timestamptz, detected_by text,
       detected_at timestamptz, event_id uuid)
     ON CONFLICT (signal_id) DO NOTHING`,
    [recordset(rows)],
  );
}
