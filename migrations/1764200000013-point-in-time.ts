import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History tables that let views answer as of an instant: one row per event with the state it left
 * and the event's occurredAt, so "as of T" is the newest row at or before T.
 */
export class PointInTime1764200000013 implements MigrationInterface {
  name = 'PointInTime1764200000013';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE deployment_timeline (
        deployment_id   text NOT NULL,
        revision        bigint NOT NULL,
        model           text NOT NULL,
        environment     text NOT NULL,
        event_type      text NOT NULL,
        version         text NULL,
        canary_version  text NULL,
        canary_percent  int NULL,
        strategy        text NOT NULL,
        status          text NOT NULL,
        approval_id     text NULL,
        cited_approvals jsonb NOT NULL, -- version → the approval its latest rollout here cited
        deployed_by     text NOT NULL,
        at              timestamptz NOT NULL,
        event_id        uuid NOT NULL,
        PRIMARY KEY (deployment_id, revision)
      )`);
    await db.query(
      'CREATE INDEX deployment_timeline_by_environment ON deployment_timeline (environment, deployment_id, revision)',
    );
    await db.query(
      'CREATE INDEX deployment_timeline_by_model ON deployment_timeline (model, deployment_id, revision)',
    );
    await db.query(`
      CREATE TABLE model_card_history (
        model      text NOT NULL,
        revision   bigint NOT NULL,
        version    text NOT NULL,
        event_type text NOT NULL,
        changes    jsonb NOT NULL, -- the fields this event set (a registration sets them all)
        card       jsonb NOT NULL, -- the whole card after it
        changed_by text NOT NULL,
        at         timestamptz NOT NULL,
        event_id   uuid NOT NULL,
        PRIMARY KEY (model, revision)
      )`);
    await db.query(
      'CREATE INDEX model_card_history_by_version ON model_card_history (model, version, revision)',
    );
    await db.query(`
      CREATE TABLE approval_timeline (
        approval_id     uuid NOT NULL,
        revision        bigint NOT NULL,
        event_type      text NOT NULL,
        at              timestamptz NOT NULL,
        event_id        uuid NOT NULL,
        model           text NOT NULL,
        version         text NOT NULL,
        environment     text NOT NULL,
        risk_tier       text NOT NULL,
        status          text NOT NULL,
        stages          jsonb NOT NULL,
        current_stage   int,
        "current_role"  text,
        requested_by    text NOT NULL,
        registered_by   text NOT NULL,
        trained_by      text NOT NULL,
        granted_by      text[] NOT NULL,
        evidence        jsonb NOT NULL,
        evidence_digest text NOT NULL,
        require_passing_evaluation boolean NOT NULL,
        comment         text,
        requested_at    timestamptz NOT NULL,
        decided_at      timestamptz,
        closed_by       text,
        withdrawal_reason text,
        PRIMARY KEY (approval_id, revision)
      )`);
    await db.query('CREATE INDEX approval_timeline_by_time ON approval_timeline (at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE approval_timeline');
    await db.query('DROP TABLE model_card_history');
    await db.query('DROP TABLE deployment_timeline');
  }
}
