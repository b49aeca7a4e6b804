import { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotency-Key records: the first answer to each caller's key, replayed on a retry. */
export class IdempotencyKeys1764200000002 implements MigrationInterface {
  name = 'IdempotencyKeys1764200000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE idempotency_keys (
        scope        text NOT NULL,
        key          text NOT NULL,
        request_hash char(64) NOT NULL,
        state        text NOT NULL CHECK (state IN ('pending', 'done')),
        response     jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE idempotency_keys');
  }
}
