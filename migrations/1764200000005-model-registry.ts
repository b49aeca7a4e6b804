import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the model-registry capability. */
export class ModelRegistry1764200000005 implements MigrationInterface {
  name = 'ModelRegistry1764200000005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE models (
        name           text PRIMARY KEY,
        latest_version text NOT NULL,
        version_count  integer NOT NULL,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        last_revision  bigint NOT NULL
      )`);
    await db.query(`
      CREATE TABLE model_versions (
        model                      text NOT NULL,
        version                    text NOT NULL,
        run_id                     text NOT NULL,
        trained_by                 text NOT NULL,
        dataset_versions           jsonb NOT NULL,
        artifact_digest            text NOT NULL,
        risk_tier                  text NOT NULL,
        decision_class             text NOT NULL,
        personal_information_kinds jsonb NOT NULL,
        decisions                  text NOT NULL,
        intended_use               text NOT NULL,
        limitations                jsonb NOT NULL,
        owner                      text NOT NULL,
        vendor                     text,
        explainability             text,
        human_oversight            text,
        consumer_disclosure        text,
        monitoring_cadence         text,
        registered_by              text NOT NULL,
        registered_at              timestamptz NOT NULL,
        registration_revision      bigint NOT NULL,
        card_updated_by            text,
        card_updated_at            timestamptz,
        retired_reason             text,
        retired_by                 text,
        retired_at                 timestamptz,
        PRIMARY KEY (model, version)
      )`);
    await db.query(`
      CREATE TABLE model_evaluations (
        evaluation_id   text PRIMARY KEY,
        model           text NOT NULL,
        version         text NOT NULL,
        dataset_version jsonb NOT NULL,
        metrics         jsonb NOT NULL,
        baseline        jsonb,
        fairness        jsonb NOT NULL,
        verdict         text NOT NULL,
        evaluated_by    text NOT NULL,
        evaluated_at    timestamptz NOT NULL,
        stream_revision bigint NOT NULL
      )`);
    await db.query(
      'CREATE INDEX model_evaluations_by_version ON model_evaluations (model, version, stream_revision)',
    );
    await db.query(`
      CREATE TABLE model_version_approvals (
        approval_id     text PRIMARY KEY,
        model           text NOT NULL,
        version         text NOT NULL,
        environment     text NOT NULL,
        evidence_digest text NOT NULL,
        approvers       jsonb NOT NULL,
        approved_at     timestamptz NOT NULL
      )`);
    await db.query(
      'CREATE INDEX model_version_approvals_by_version ON model_version_approvals (model, version, approved_at)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE model_version_approvals');
    await db.query('DROP TABLE model_evaluations');
    await db.query('DROP TABLE model_versions');
    await db.query('DROP TABLE models');
  }
}
