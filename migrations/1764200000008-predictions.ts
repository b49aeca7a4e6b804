import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the predictions capability: one row per batch summary and per ground truth. */
export class Predictions1764200000008 implements MigrationInterface {
  name = 'Predictions1764200000008';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE prediction_batches (
        batch_id            uuid PRIMARY KEY,
        deployment_id       text NOT NULL,
        model               text NOT NULL,
        environment         text NOT NULL,
        version             text NOT NULL,
        count               bigint NOT NULL,
        window_from         timestamptz NOT NULL,
        window_to           timestamptz NOT NULL,
        input_digest        text NOT NULL,
        output_distribution jsonb NOT NULL,
        feature_summaries   jsonb NOT NULL,
        latency_p50_ms      double precision NOT NULL,
        latency_p95_ms      double precision NOT NULL,
        latency_p99_ms      double precision NOT NULL,
        automated           bigint NOT NULL,
        referred            bigint NOT NULL,
        recorded_by         text NOT NULL,
        recorded_at         timestamptz NOT NULL,
        event_id            uuid NOT NULL
      )`);
    await db.query(
      'CREATE INDEX prediction_batches_deployment_window ON prediction_batches (deployment_id, window_to DESC)',
    );
    await db.query(`
      CREATE TABLE ground_truth (
        ground_truth_id uuid PRIMARY KEY,
        deployment_id   text NOT NULL,
        model           text NOT NULL,
        environment     text NOT NULL,
        version         text NOT NULL,
        batch_ids       jsonb NOT NULL,
        window_from     timestamptz NOT NULL,
        window_to       timestamptz NOT NULL,
        count           bigint NOT NULL,
        labels_digest   text NOT NULL,
        metrics         jsonb NOT NULL,
        recorded_by     text NOT NULL,
        recorded_at     timestamptz NOT NULL,
        event_id        uuid NOT NULL
      )`);
    await db.query(
      'CREATE INDEX ground_truth_deployment_window ON ground_truth (deployment_id, window_to DESC)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE ground_truth');
    await db.query('DROP TABLE prediction_batches');
  }
}
