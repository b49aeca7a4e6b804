import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events a projection could not apply (README "Projection faults"): recorded in the transaction
 * that moves its checkpoint past the event, resolved when a rebuild applies the event.
 */
export class ProjectionFaults1764200000018 implements MigrationInterface {
  name = 'ProjectionFaults1764200000018';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projection_faults (
        projection      text NOT NULL,
        event_id        uuid NOT NULL,
        stream          text NOT NULL,
        revision        bigint NOT NULL,
        event_type      text NOT NULL,
        ledger_position text NOT NULL,
        error_code      text NOT NULL,
        error_message   text NOT NULL,
        occurrences     int NOT NULL DEFAULT 1,
        first_seen_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at    timestamptz NOT NULL DEFAULT now(),
        resolved_at     timestamptz,
        PRIMARY KEY (projection, event_id)
      )`);
    await db.query(
      'CREATE INDEX projection_faults_open ON projection_faults (projection, first_seen_at) WHERE resolved_at IS NULL',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projection_faults');
  }
}
