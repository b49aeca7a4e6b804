import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models of the compliance capability: serving periods per model version and environment
 * (from deployment history) and each model card as it stood after every change, so the ADM
 * register answers for any period from recorded history.
 */
export class Compliance1764200000012 implements MigrationInterface {
  name = 'Compliance1764200000012';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE compliance_serving_slots (
        deployment_id text PRIMARY KEY,
        last_revision bigint NOT NULL
      )`);
    await db.query(`
      CREATE TABLE compliance_serving_periods (
        deployment_id    text NOT NULL,
        opened_revision  bigint NOT NULL,
        model            text NOT NULL,
        environment      text NOT NULL,
        version          text NOT NULL,
        started_as       text NOT NULL CHECK (started_as IN ('full', 'canary')),
        served_from      timestamptz NOT NULL,
        full_from        timestamptz,
        approval_id      text,
        start_event_id   uuid NOT NULL,
        start_event_type text NOT NULL,
        served_to        timestamptz,
        closed_revision  bigint,
        end_event_id     uuid,
        end_event_type   text,
        PRIMARY KEY (deployment_id, opened_revision)
      )`);
    await db.query(
      'CREATE INDEX compliance_serving_periods_open ON compliance_serving_periods (deployment_id) WHERE served_to IS NULL',
    );
    await db.query(
      'CREATE INDEX compliance_serving_periods_span ON compliance_serving_periods (served_from, served_to)',
    );
    await db.query(`
      CREATE TABLE compliance_model_cards (
        model                      text NOT NULL,
        version                    text NOT NULL,
        revision                   bigint NOT NULL,
        decision_class             text NOT NULL,
        risk_tier                  text NOT NULL,
        personal_information_kinds jsonb NOT NULL,
        decisions                  text NOT NULL,
        owner                      text NOT NULL,
        vendor                     text,
        effective_at               timestamptz NOT NULL,
        event_id                   uuid NOT NULL,
        PRIMARY KEY (model, version, revision)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE compliance_model_cards');
    await db.query('DROP TABLE compliance_serving_periods');
    await db.query('DROP TABLE compliance_serving_slots');
  }
}
