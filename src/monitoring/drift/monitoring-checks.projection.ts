import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../ledger/projections/projection';
import type { PredictionBatchRecorded } from '../../predictions/prediction.events';

/**
 * The drift reactor's intake (README, "Monitoring by Attest"): every PredictionBatchRecorded that
 * carries bins goes into `monitoring_batches` (what windows pool) and enqueues a drift check in
 * `monitoring_checks`, in the transaction that moves this projection's checkpoint, so across
 * restarts and replicas each batch is enqueued exactly once. The DriftMonitor takes the checks.
 * Checks once done stay in the table (not one of this projection's tables), so a rebuild, which
 * replays every batch into `monitoring_batches`, enqueues none of them again.
 */
@Injectable()
@ReadModelProjection()
export class MonitoringChecksProjection implements Projection {
  readonly name = 'monitoring-checks';
  readonly eventTypes = ['PredictionBatchRecorded'];
  readonly tables = ['monitoring_batches'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const { data } = recorded as unknown as { data: PredictionBatchRecorded['data'] };
    if (!data.bins) return;
    await manager.query(
      `INSERT INTO monitoring_batches (batch_id, deployment_id, model, environment, version,
         window_from, window_to, bins, event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
       ON CONFLICT (batch_id) DO NOTHING`,
      [
        data.batchId,
        data.deploymentId,
        data.model,
        data.environment,
        data.version,
        data.window.from,
        data.window.to,
        JSON.stringify(data.bins),
        recorded.id,
      ],
    );
    await manager.query(
      `INSERT INTO monitoring_checks (kind, batch_id, deployment_id) VALUES ('drift', $1, $2)
       ON CONFLICT (kind, batch_id) DO NOTHING`,
      [data.batchId, data.deploymentId],
    );
  }
}
