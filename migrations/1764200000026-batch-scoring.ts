import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Batch scoring jobs (README, "Batch scoring"): operational state of the service, not a
 * projection of the ledger (docs/design.md §2), like evaluation runs. What a job decided is in
 * its receipts (sealed into PredictionBatchRecorded events); this table tracks the work towards
 * them (status, progress, heartbeat), the version and arm the job was served by, and where its
 * result file lies. `error` and `error_field` name a line and a column, never a value.
 * `upload_digest` is the upload's HMAC-SHA-256 under the privacy pepper (never the rows): a retry
 * with the job's Idempotency-Key is compared against it.
 */
export class BatchScoring1764200000026 implements MigrationInterface {
  name = 'BatchScoring1764200000026';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE batch_scoring_jobs (
        id              uuid PRIMARY KEY,
        deployment_id   text NOT NULL,
        model           text NOT NULL,
        environment     text NOT NULL,
        version         text NOT NULL,
        arm             text NOT NULL CHECK (arm IN ('stable', 'canary')),
        artifact_digest text NOT NULL,
        request_id      text NOT NULL,
        subject_column  text,
        upload_digest   text NOT NULL,
        status          text NOT NULL
                          CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        rows_total      bigint NOT NULL DEFAULT 0,
        rows_scored     bigint NOT NULL DEFAULT 0,
        positives       bigint NOT NULL DEFAULT 0,
        error           text,
        error_field     text,
        result_path     text,
        requested_by    text NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        started_at      timestamptz,
        finished_at     timestamptz,
        heartbeat_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      'CREATE INDEX batch_scoring_jobs_by_deployment ON batch_scoring_jobs (deployment_id, created_at)',
    );
    await db.query(
      `CREATE INDEX batch_scoring_jobs_unfinished ON batch_scoring_jobs (heartbeat_at)
         WHERE status IN ('queued', 'running')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE batch_scoring_jobs');
  }
}
