import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monitoring by Attest (README, "Monitoring by Attest"). The policy itself is read from its
 * stream (`policy-monitoring`); these tables are the drift reactor's:
 *
 * - `monitoring_batches`: a projection of every PredictionBatchRecorded that carries bins, in
 *   ledger order (`seq`), so a window can pool a batch with the ones before it.
 * - `monitoring_checks`: work for the monitor, enqueued by the same projection in the transaction
 *   that moves its checkpoint (so no batch is missed or enqueued twice), taken by a lease
 *   (`claimed_until`) and marked `done_at` once its signals are recorded. A lease that runs out
 *   (the process died) lets another replica take the row again: processing is at least once, and
 *   the appends are idempotent (signal and alert ids derive from the batch). Done rows stay, so a
 *   rebuild of the projection, which replays every batch, enqueues none of them again.
 * - `performance_checks`: the windows whose realised performance has been judged, per deployment
 *   and version (each window is judged once, when it first holds enough outcomes).
 */
export class MonitoringPolicy1764200000027 implements MigrationInterface {
  name = 'MonitoringPolicy1764200000027';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE monitoring_batches (
        seq            bigserial PRIMARY KEY,
        batch_id       text NOT NULL UNIQUE,
        deployment_id  text NOT NULL,
        model          text NOT NULL,
        environment    text NOT NULL,
        version        text NOT NULL,
        window_from    timestamptz NOT NULL,
        window_to      timestamptz NOT NULL,
        bins           jsonb NOT NULL,
        event_id       text NOT NULL
      )`);
    await db.query(
      'CREATE INDEX monitoring_batches_by_version ON monitoring_batches (deployment_id, version, seq)',
    );
    await db.query(`
      CREATE TABLE monitoring_checks (
        seq            bigserial PRIMARY KEY,
        kind           text NOT NULL CHECK (kind IN ('drift')),
        batch_id       text NOT NULL,
        deployment_id  text NOT NULL,
        enqueued_at    timestamptz NOT NULL DEFAULT now(),
        claimed_by     text,
        claimed_until  timestamptz,
        attempts       int NOT NULL DEFAULT 0,
        last_error     text,
        done_at        timestamptz,
        UNIQUE (kind, batch_id)
      )`);
    await db.query(
      'CREATE INDEX monitoring_checks_due ON monitoring_checks (seq) WHERE done_at IS NULL',
    );
    await db.query(`
      CREATE TABLE performance_checks (
        deployment_id  text NOT NULL,
        version        text NOT NULL,
        window_from    timestamptz NOT NULL,
        window_to      timestamptz NOT NULL,
        outcomes       int NOT NULL,
        judged_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (deployment_id, version, window_from)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE performance_checks');
    await db.query('DROP TABLE monitoring_checks');
    await db.query('DROP TABLE monitoring_batches');
  }
}
