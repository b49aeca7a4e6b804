import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import {
  type GroundTruthEvent,
  PREDICTION_EVENT_TYPES,
  type PredictionBatchEvent,
} from '../../prediction.events';

/** One row per batch and per ground truth; each is written once, so a replay changes nothing. */
@Injectable()
@ReadModelProjection()
export class PredictionsProjection implements Projection {
  readonly name = 'predictions';
  readonly eventTypes = PREDICTION_EVENT_TYPES;
  readonly tables = ['prediction_batches', 'ground_truth'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as
      PredictionBatchEvent | GroundTruthEvent;
    switch (event.type) {
      case 'PredictionBatchRecorded': {
        const d = event.data;
        await manager.query(
          `INSERT INTO prediction_batches (batch_id, deployment_id, model, environment, version,
             count, window_from, window_to, input_digest, output_distribution, feature_summaries,
             latency_p50_ms, latency_p95_ms, latency_p99_ms, automated, referred, recorded_by,
             recorded_at, event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
           ON CONFLICT (batch_id) DO NOTHING`,
          [
            d.batchId,
            d.deploymentId,
            d.model,
            d.environment,
            d.version,
            d.count,
            d.window.from,
            d.window.to,
            d.inputDigest,
            JSON.stringify(d.outputDistribution),
            JSON.stringify(d.featureSummaries),
            d.latencyMs.p50,
            d.latencyMs.p95,
            d.latencyMs.p99,
            d.decisions.automated,
            d.decisions.referred,
            d.recordedBy,
            d.recordedAt,
            recorded.id,
          ],
        );
        return;
      }
      case 'GroundTruthRecorded': {
        const d = event.data;
        await manager.query(
          `INSERT INTO ground_truth (ground_truth_id, deployment_id, model, environment, version,
             batch_ids, window_from, window_to, count, labels_digest, metrics, recorded_by,
             recorded_at, event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (ground_truth_id) DO NOTHING`,
          [
            d.groundTruthId,
            d.deploymentId,
            d.model,
            d.environment,
            d.version,
            JSON.stringify(d.batchIds),
            d.window.from,
            d.window.to,
            d.count,
            d.labelsDigest,
            JSON.stringify(d.metrics),
            d.recordedBy,
            d.recordedAt,
            recorded.id,
          ],
        );
        return;
      }
      default: {
        const unexpected: never = event;
        throw new Error(`predictions projection: unexpected ${JSON.stringify(unexpected)}`);
      }
    }
  }
}
