import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the approvals capability: the approvals inbox and history. */
export class Approvals1764200000006 implements MigrationInterface {
  name = 'Approvals1764200000006';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE approvals (
        id              uuid PRIMARY KEY,
        model           text NOT NULL,
        version         text NOT NULL,
        environment     text NOT NULL,
        risk_tier       text NOT NULL,
        status          text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
        stages          jsonb NOT NULL,
        current_stage   int,
        "current_role"  text, -- quoted: CURRENT_ROLE is an SQL keyword
        requested_by    text NOT NULL,
        registered_by   text NOT NULL,
        trained_by      text NOT NULL,
        granted_by      text[] NOT NULL DEFAULT '{}',
        evidence        jsonb NOT NULL,
        evidence_digest text NOT NULL,
        require_passing_evaluation boolean NOT NULL,
        comment         text,
        requested_at    timestamptz NOT NULL,
        decided_at      timestamptz,
        closed_by       text,
        withdrawal_reason text
      )`);
    await db.query(
      'CREATE INDEX approvals_inbox ON approvals ("current_role", requested_at, id) WHERE status = $$pending$$',
    );
    await db.query('CREATE INDEX approvals_by_status ON approvals (status, requested_at, id)');
    await db.query('CREATE INDEX approvals_by_model ON approvals (model, version, environment)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE approvals');
  }
}
