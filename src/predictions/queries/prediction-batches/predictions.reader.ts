import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Predictions of one UTC day (the day a batch's window ends): volume, decisions and outputs. */
export interface DailyVolume {
  day: string;
  predictions: number;
  automated: number;
  referred: number;
  outputs: Record<string, number>;
}

/** A ground-truth window's metrics, at the window's end. */
export interface GroundTruthPoint {
  at: string;
  metrics: Record<string, number>;
}

/** A window of buckets of one deployment: [from, to) in buckets of `bucketSeconds`. */
export interface BucketWindow {
  deploymentId: string;
  from: string;
  to: string;
  bucketSeconds: number;
}

/** The batches of one version in one bucket, summed (weighted latencies: per prediction). */
export interface BucketBatchSums {
  bucket: number;
  version: string;
  batches: number;
  volume: string;
  automated: string;
  referred: string;
  p50_weighted: number;
  p95_weighted: number;
  p99: number;
}

/** A ground-truth window in its bucket. */
export interface BucketGroundTruth {
  bucket: number;
  ground_truth_id: string;
  count: string;
  metrics: Record<string, number>;
}

/** The bucket a row counts in: where its window starts, counted from `from`. */
const BUCKET_OF = `floor((extract(epoch FROM window_from) - extract(epoch FROM $2::timestamptz)) / $4::int)::int`;
const IN_WINDOW = 'deployment_id = $1 AND window_from >= $2 AND window_from < $3';
const windowParams = (w: BucketWindow) => [w.deploymentId, w.from, w.to, w.bucketSeconds];

/**
 * The predictions capability's read interface over prediction_batches and ground_truth for
 * other capabilities (docs/architecture.md, "Boundaries"): they read these tables here, never by
 * SQL of their own.
 */
@Injectable()
export class PredictionsReader {
  constructor(private readonly db: DataSource) {}

  /** The prediction batches recorded for a model version. */
  async batchIds(model: string, version: string): Promise<string[]> {
    const rows = (await this.db.query(
      'SELECT batch_id AS id FROM prediction_batches WHERE model = $1 AND version = $2',
      [model, version],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** The ground-truth windows recorded for a model version. */
  async groundTruthIds(model: string, version: string): Promise<string[]> {
    const rows = (await this.db.query(
      'SELECT ground_truth_id AS id FROM ground_truth WHERE model = $1 AND version = $2',
      [model, version],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** Predictions per UTC day of the window's end: volume, decisions and outputs. */
  async dailyVolume(model: string, version: string): Promise<DailyVolume[]> {
    const day = `to_char(window_to AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    const [totals, outputs] = await Promise.all([
      this.db.query(
        `SELECT ${day} AS day, sum(count)::bigint AS predictions,
                sum(automated)::bigint AS automated, sum(referred)::bigint AS referred
         FROM prediction_batches WHERE model = $1 AND version = $2 GROUP BY 1 ORDER BY 1`,
        [model, version],
      ) as Promise<{ day: string; predictions: string; automated: string; referred: string }[]>,
      this.db.query(
        `SELECT ${day} AS day, o.key AS output, sum(o.value::numeric) AS n
         FROM prediction_batches, jsonb_each_text(output_distribution) o
         WHERE model = $1 AND version = $2 GROUP BY 1, 2`,
        [model, version],
      ) as Promise<{ day: string; output: string; n: string }[]>,
    ]);
    const byDay = new Map<string, Record<string, number>>();
    for (const row of outputs) {
      byDay.set(row.day, { ...byDay.get(row.day), [row.output]: Number(row.n) });
    }
    return totals.map((row) => ({
      day: row.day,
      predictions: Number(row.predictions),
      automated: Number(row.automated),
      referred: Number(row.referred),
      outputs: byDay.get(row.day) ?? {},
    }));
  }

  /** Every ground-truth window of a model version, oldest first. */
  async groundTruth(model: string, version: string): Promise<GroundTruthPoint[]> {
    const rows = (await this.db.query(
      `SELECT window_to, metrics FROM ground_truth WHERE model = $1 AND version = $2
       ORDER BY window_to, ground_truth_id`,
      [model, version],
    )) as { window_to: Date; metrics: Record<string, number> }[];
    return rows.map((row) => ({ at: row.window_to.toISOString(), metrics: row.metrics }));
  }

  /** A deployment's batches whose window starts in the window, summed per bucket and version. */
  async bucketBatchSums(window: BucketWindow): Promise<BucketBatchSums[]> {
    return (await this.db.query(
      `SELECT ${BUCKET_OF} AS bucket, version, count(*)::int AS batches,
         sum(count)::text AS volume, sum(automated)::text AS automated,
         sum(referred)::text AS referred,
         sum(latency_p50_ms * count ORDER BY batch_id) AS p50_weighted,
         sum(latency_p95_ms * count ORDER BY batch_id) AS p95_weighted,
         max(latency_p99_ms) AS p99
       FROM prediction_batches WHERE ${IN_WINDOW}
       GROUP BY 1, 2 ORDER BY 1, 2`,
      windowParams(window),
    )) as BucketBatchSums[];
  }

  /** Those batches' outputs, summed per bucket and output. */
  async bucketOutputs(
    window: BucketWindow,
  ): Promise<{ bucket: number; output: string; n: string }[]> {
    return (await this.db.query(
      `SELECT ${BUCKET_OF} AS bucket, d.key AS output, sum(d.value::bigint)::text AS n
       FROM prediction_batches CROSS JOIN LATERAL jsonb_each_text(output_distribution) AS d(key, value)
       WHERE ${IN_WINDOW}
       GROUP BY 1, 2 ORDER BY 1, 2`,
      windowParams(window),
    )) as { bucket: number; output: string; n: string }[];
  }

  /** A deployment's ground-truth windows starting in the window, oldest first. */
  async bucketGroundTruth(window: BucketWindow): Promise<BucketGroundTruth[]> {
    return (await this.db.query(
      `SELECT ${BUCKET_OF} AS bucket, ground_truth_id, count::text AS count, metrics
       FROM ground_truth WHERE ${IN_WINDOW}
       ORDER BY window_from, ground_truth_id`,
      windowParams(window),
    )) as BucketGroundTruth[];
  }
}
