import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model of the access log: regulator requests and personal data shown, one row per event. */
export class AccessLog1764200000014 implements MigrationInterface {
  name = 'AccessLog1764200000014';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE access_log (
        event_id    uuid PRIMARY KEY,
        kind        text NOT NULL CHECK (kind IN ('regulator-request', 'personal-data')),
        actor_sub   text NOT NULL,
        actor_roles text[] NOT NULL,
        method      text,
        url         text NOT NULL,
        status      int,
        resource_kind text,
        resource_ids  text[],
        correlation_id text NOT NULL,
        accessed_at timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX access_log_time ON access_log (accessed_at, event_id)');
    await db.query('CREATE INDEX access_log_actor ON access_log (actor_sub, accessed_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE access_log');
  }
}
