import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { recordset } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  type ProjectionContext,
  type Recorded,
  ReadModelProjection,
} from '../../../ledger/projections/projection';
import type { GroundTruthEvent, PredictionBatchEvent } from '../../prediction.events';

type PredictionEvent = PredictionBatchEvent | GroundTruthEvent;

/** A page's rows, gathered run by run. */
interface PredictionRows {
  batches: ReturnType<typeof batchRow>[];
  groundTruth: ReturnType<typeof groundTruthRow>[];
}

/**
 * One row per batch and per ground truth; each is written once, so a replay changes nothing. The
 * handlers gather a page's rows, written at its end by one statement.
 */
@Injectable()
@ReadModelProjection()
export class PredictionsProjection extends DeclaredProjection<PredictionEvent, PredictionRows> {
  readonly name = 'predictions';
  readonly tables = ['prediction_batches', 'ground_truth'];

  protected readonly handlers: Handlers<PredictionEvent, PredictionRows> = {
    PredictionBatchRecorded: (events, _context, rows) => {
      rows.batches.push(...events.map(batchRow));
    },
    GroundTruthRecorded: (events, _context, rows) => {
      rows.groundTruth.push(...events.map(groundTruthRow));
    },
  };

  protected override openPage(): PredictionRows {
    return { batches: [], groundTruth: [] };
  }

  protected override async closePage(
    rows: PredictionRows,
    { manager }: ProjectionContext,
  ): Promise<void> {
    if (rows.batches.length > 0 || rows.groundTruth.length > 0) await insertRows(manager, rows);
  }
}

const batchRow = ({ id, data: d }: Recorded<PredictionBatchEvent>) => ({
  batch_id: d.batchId,
  deployment_id: d.deploymentId,
  model: d.model,
  environment: d.environment,
  version: d.version,
  count: d.count,
  window_from: d.window.from,
  window_to: d.window.to,
  input_digest: d.inputDigest,
  output_distribution: d.outputDistribution,
  feature_summaries: d.featureSummaries,
  latency_p50_ms: d.latencyMs.p50,
  latency_p95_ms: d.latencyMs.p95,
  latency_p99_ms: d.latencyMs.p99,
  automated: d.decisions.automated,
  referred: d.decisions.referred,
  recorded_by: d.recordedBy,
  recorded_at: d.recordedAt,
  event_id: id,
});

const groundTruthRow = ({ id, data: d }: Recorded<GroundTruthEvent>) => ({
  ground_truth_id: d.groundTruthId,
  deployment_id: d.deploymentId,
  model: d.model,
  environment: d.environment,
  version: d.version,
  batch_ids: d.batchIds,
  window_from: d.window.from,
  window_to: d.window.to,
  count: d.count,
  labels_digest: d.labelsDigest,
  metrics: d.metrics,
  recorded_by: d.recordedBy,
  recorded_at: d.recordedAt,
  event_id: id,
});

async function insertRows(manager: EntityManager, rows: PredictionRows): Promise<void> {
  await manager.query(
    `WITH batches AS (
       INSERT INTO prediction_batches (batch_id, deployment_id, model, environment, version,
         count, window_from, window_to, input_digest, output_distribution, feature_summaries,
         latency_p50_ms, latency_p95_ms, latency_p99_ms, automated, referred, recorded_by,
         recorded_at, event_id)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(batch_id uuid, deployment_id text,
         model text, environment text, version text, count bigint, window_from timestamptz,
         window_to timestamptz, input_digest text, output_distribution jsonb,
         feature_summaries jsonb, latency_p50_ms double precision,
         latency_p95_ms double precision, latency_p99_ms double precision, automated bigint,
         referred bigint, recorded_by text, recorded_at timestamptz, event_id uuid)
       ON CONFLICT (batch_id) DO NOTHING)
     INSERT INTO ground_truth (ground_truth_id, deployment_id, model, environment, version,
       batch_ids, window_from, window_to, count, labels_digest, metrics, recorded_by,
       recorded_at, event_id)
     SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(ground_truth_id uuid,
       deployment_id text, model text, environment text, version text, batch_ids jsonb,
       window_from timestamptz, window_to timestamptz, count bigint, labels_digest text,
       metrics jsonb, recorded_by text, recorded_at timestamptz, event_id uuid)
     ON CONFLICT (ground_truth_id) DO NOTHING`,
    [recordset(rows.batches), recordset(rows.groundTruth)],
  );
}
