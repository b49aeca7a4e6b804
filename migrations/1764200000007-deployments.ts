import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models of the deployments capability: what each model serves in each environment now
 * (the model registry reads `deployments`), and every rollout, promotion, rollback and retirement.
 */
export class Deployments1764200000007 implements MigrationInterface {
  name = 'Deployments1764200000007';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE deployments (
        deployment_id  text PRIMARY KEY,
        model          text NOT NULL,
        environment    text NOT NULL,
        version        text NULL,
        canary_version text NULL,
        canary_percent int NULL,
        strategy       text NOT NULL CHECK (strategy IN ('full', 'canary')),
        status         text NOT NULL CHECK (status IN ('active', 'inactive', 'retired')),
        approval_id    text NULL,
        deployed_by    text NOT NULL,
        updated_at     timestamptz NOT NULL,
        last_revision  bigint NOT NULL
      )`);
    await db.query('CREATE INDEX deployments_environment ON deployments (environment)');
    await db.query('CREATE INDEX deployments_model ON deployments (model)');
    await db.query(`
      CREATE TABLE deployment_history (
        deployment_id  text NOT NULL,
        revision       bigint NOT NULL,
        event_type     text NOT NULL,
        version        text NULL,
        from_version   text NULL,
        to_version     text NULL,
        strategy       text NULL,
        canary_percent int NULL,
        approval_id    text NULL,
        reason         text NULL,
        automatic      boolean NULL,
        actor          text NOT NULL,
        at             timestamptz NOT NULL,
        event_id       uuid NOT NULL,
        PRIMARY KEY (deployment_id, revision)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE deployment_history');
    await db.query('DROP TABLE deployments');
  }
}
