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
}
