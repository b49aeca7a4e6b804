import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every audit pack handed out: its SHA-256 and signature, and its evidence bundle (compressed),
 * so the bundle can be downloaded later carrying the signature of exactly that PDF.
 */
export class AuditPacks1764200000017 implements MigrationInterface {
  name = 'AuditPacks1764200000017';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_packs (
        pack_id       uuid PRIMARY KEY,
        model         text NOT NULL,
        version       text NOT NULL,
        generated_at  timestamptz NOT NULL,
        generated_by  text NOT NULL,
        sha256        text NOT NULL,
        signature     text NOT NULL,
        tree_size     bigint NOT NULL,
        cited_events  int NOT NULL,
        bundle        bytea NOT NULL
      )`);
    await db.query(
      'CREATE INDEX audit_packs_by_version ON audit_packs (model, version, generated_at)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE audit_packs');
  }
}
