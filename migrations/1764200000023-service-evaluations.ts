import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who computed each evaluation (ModelEvaluated.performedBy: rows recorded before Attest ran
 * models are the pipeline's) and, for Attest's own, what it ran with and measured (`service`).
 */
export class ServiceEvaluations1764200000023 implements MigrationInterface {
  name = 'ServiceEvaluations1764200000023';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE model_evaluations ADD COLUMN performed_by text NOT NULL DEFAULT 'pipeline'`,
    );
    await db.query(`ALTER TABLE model_evaluations ADD COLUMN service jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE model_evaluations DROP COLUMN service`);
    await db.query(`ALTER TABLE model_evaluations DROP COLUMN performed_by`);
  }
}
