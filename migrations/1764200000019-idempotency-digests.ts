import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key values are kept only as keyed digests (HMAC under PRIVACY_PEPPER), and each
 * claim names the process instance that owns it, so a claim left by a crashed process can be
 * released as soon as that process is provably gone. The migration has no pepper: rows stored
 * before it keep `key_digested = false` until the service digests them at start. The default
 * stays `false`, so rows an older release still running inserts (raw keys, no such column in its
 * INSERT) are taken as raw too; this release sets `key_digested = true` on every row it inserts.
 */
export class IdempotencyDigests1764200000019 implements MigrationInterface {
  name = 'IdempotencyDigests1764200000019';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE idempotency_keys ADD COLUMN owner integer`);
    await db.query(
      `ALTER TABLE idempotency_keys ADD COLUMN key_digested boolean NOT NULL DEFAULT false`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM idempotency_keys WHERE key_digested`);
    await db.query(`ALTER TABLE idempotency_keys DROP COLUMN key_digested`);
    await db.query(`ALTER TABLE idempotency_keys DROP COLUMN owner`);
  }
}
