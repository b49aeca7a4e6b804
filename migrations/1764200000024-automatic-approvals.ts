import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Approvals a passing service-run evaluation gave by itself (ModelVersionApproved.automatic), and
 * the evaluation each request relied on (ApprovalRequested.passingEvaluation), in the approvals
 * inbox and its timeline. Rows recorded before are neither.
 */
export class AutomaticApprovals1764200000024 implements MigrationInterface {
  name = 'AutomaticApprovals1764200000024';

  async up(db: QueryRunner): Promise<void> {
    for (const table of ['approvals', 'approval_timeline']) {
      await db.query(`ALTER TABLE ${table} ADD COLUMN automatic boolean NOT NULL DEFAULT false`);
      await db.query(`ALTER TABLE ${table} ADD COLUMN passing_evaluation_id text`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['approvals', 'approval_timeline']) {
      await db.query(`ALTER TABLE ${table} DROP COLUMN passing_evaluation_id`);
      await db.query(`ALTER TABLE ${table} DROP COLUMN automatic`);
    }
  }
}
