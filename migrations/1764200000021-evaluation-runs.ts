import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evaluation runs Attest performs itself (README, "Evaluation runs"): operational state of the
 * service, not a projection of the ledger (docs/design.md §2), like idempotency keys. What a run
 * established is its ModelEvaluated event; this table only tracks the work towards it (status,
 * progress, heartbeat) and links the event once recorded. The unique index on the digest of the
 * evaluation's inputs, over runs that have not failed, makes concurrent requests for the same
 * evaluation share one run.
 */
export class EvaluationRuns1764200000021 implements MigrationInterface {
  name = 'EvaluationRuns1764200000021';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE evaluation_runs (
        run_id           uuid PRIMARY KEY,
        model            text NOT NULL,
        version          text NOT NULL,
        environment      text NOT NULL,
        settings         jsonb NOT NULL,
        inputs           jsonb NOT NULL,
        digest           char(64) NOT NULL,
        status           text NOT NULL
                           CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        rows_scored      bigint NOT NULL DEFAULT 0,
        rows_total       bigint NOT NULL,
        reason           text,
        reason_field     text,
        evaluation_id    uuid,
        ledger_position  text,
        verdict          jsonb,
        requested_by     text NOT NULL,
        requested_at     timestamptz NOT NULL,
        started_at       timestamptz,
        finished_at      timestamptz,
        heartbeat_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE UNIQUE INDEX evaluation_runs_one_per_digest ON evaluation_runs (digest)
         WHERE status <> 'failed'`,
    );
    await db.query(
      'CREATE INDEX evaluation_runs_by_version ON evaluation_runs (model, version, requested_at)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE evaluation_runs');
  }
}
