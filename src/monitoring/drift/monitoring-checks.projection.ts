import { Injectable } from '@nestjs/common';
import { recordset } from '../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
} from '../../ledger/projections/projection';
import type { PredictionBatchRecorded } from '../../predictions/prediction.events';

/**
 * The drift reactor's intake (README, "Monitoring by Attest"): every PredictionBatchRecorded that
 * carries bins goes into `monitoring_batches` (what windows pool) and enqueues a drift check in
 * `monitoring_checks`, in the transaction that moves this projection's checkpoint, so across
 * restarts and replicas each batch is enqueued exactly once. The DriftMonitor takes the checks.
 * Checks once done stay in the table (not one of this projection's tables), so a rebuild, which
 * replays every batch into `monitoring_batches`, enqueues none of them again.
 *
 * A run of batches is two statements, each inserting in ledger order (both tables' `seq`).
 */
@Injectable()
@ReadModelProjection()
export class MonitoringChecksProjection extends DeclaredProjection<PredictionBatchRecorded> {
  readonly name = 'monitoring-checks';
  readonly tables = ['monitoring_batches'];

  protected readonly handlers: Handlers<PredictionBatchRecorded> = {
    PredictionBatchRecorded: async (events, { manager }) => {
      const rows = events.flatMap(({ id, data }, n) =>
        data.bins
          ? [
              {
                n,
                batch_id: data.batchId,
                deployment_id: data.deploymentId,
                model: data.model,
                environment: data.environment,
                version: data.version,
                window_from: data.window.from,
                window_to: data.window.to,
                bins: data.bins,
                event_id: id,
              },
            ]
          : [],
      );
      if (rows.length === 0) return;
      await manager.query(
        `INSERT INTO monitoring_batches (batch_id, deployment_id, model, environment, version,
           window_from, window_to, bins, event_id)
         SELECT batch_id, deployment_id, model, environment, version, window_from, window_to,
           bins, event_id
         FROM jsonb_to_recordset($1::jsonb) AS b(n int, batch_id text, deployment_id text,
           model text, environment text, version text, window_from timestamptz,
           window_to timestamptz, bins jsonb, event_id text)
         ORDER BY n
         ON CONFLICT (batch_id) DO NOTHING`,
        [recordset(rows)],
      );
      await manager.query(
        `INSERT INTO monitoring_checks (kind, batch_id, deployment_id)
         SELECT 'drift', batch_id, deployment_id
         FROM jsonb_to_recordset($1::jsonb) AS b(n int, batch_id text, deployment_id text)
         ORDER BY n
         ON CONFLICT (kind, batch_id) DO NOTHING`,
        [recordset(rows.map(({ n, batch_id, deployment_id }) => ({ n, batch_id, deployment_id })))],
      );
    },
  };
}
