import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit packs become ledger facts (README, "Audit packs"): each pack handed out is recorded as
 * an AuditPackIssued event, and `audit_packs` is now that event's projection (rebuilt from the
 * ledger like any read model). The evidence bundles kept for later download are not facts of
 * the ledger but a store beside it: the former table keeps them, as `audit_pack_bundles`.
 * Packs handed out before this migration have no event, so the new table starts empty; their
 * bundles stay downloadable.
 */
export class AuditPacksIssued1764200000029 implements MigrationInterface {
  name = 'AuditPacksIssued1764200000029';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE audit_packs RENAME TO audit_pack_bundles');
    await db.query('ALTER INDEX audit_packs_by_version RENAME TO audit_pack_bundles_by_version');
    await db.query(`
      CREATE TABLE audit_packs (
        pack_id       uuid PRIMARY KEY,
        event_id      uuid NOT NULL,
        model         text NOT NULL,
        version       text NOT NULL,
        sha256        text NOT NULL,
        bytes         bigint NOT NULL,
        cited_events  int NOT NULL,
        tree_size     bigint NOT NULL,
        issued_by     text NOT NULL,
        issued_at     timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX audit_packs_by_issued_at ON audit_packs (issued_at, pack_id)');
    await db.query(
      'CREATE INDEX audit_packs_by_version ON audit_packs (model, version, issued_at, pack_id)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE audit_packs');
    await db.query('ALTER INDEX audit_pack_bundles_by_version RENAME TO audit_packs_by_version');
    await db.query('ALTER TABLE audit_pack_bundles RENAME TO audit_packs');
  }
}
