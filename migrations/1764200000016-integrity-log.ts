import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The integrity log (docs/design.md §5): every event's hash as a leaf of an RFC 9162 Merkle tree in
 * ledger order, the complete subtrees that make appends and proofs O(log n), and the signed
 * checkpoints (also recorded in the ledger as LedgerCheckpointSigned) and signing keys.
 */
export class IntegrityLog1764200000016 implements MigrationInterface {
  name = 'IntegrityLog1764200000016';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE integrity_leaves (
        leaf_index  bigint PRIMARY KEY,
        event_id    uuid NOT NULL UNIQUE,
        event_type  text NOT NULL,
        stream      text NOT NULL,
        revision    bigint NOT NULL,
        position    text NOT NULL,
        event_hash  text NOT NULL,
        occurred_at timestamptz NOT NULL
      )`);
    // Documents cite events by stream (a model's, its runs', its batches'…).
    await db.query('CREATE INDEX integrity_leaves_stream ON integrity_leaves (stream, revision)');
    // Reports count and cite the events of each type recorded in a period.
    await db.query(
      'CREATE INDEX integrity_leaves_type_time ON integrity_leaves (event_type, occurred_at)',
    );
    await db.query(`
      CREATE TABLE integrity_subtrees (
        level  smallint NOT NULL,
        index  bigint NOT NULL,
        hash   bytea NOT NULL,
        PRIMARY KEY (level, index)
      )`);
    await db.query(`
      CREATE TABLE ledger_checkpoints (
        tree_size  bigint PRIMARY KEY,
        root_hash  text NOT NULL,
        log_id     text NOT NULL,
        signed_at  timestamptz NOT NULL,
        key_id     text NOT NULL,
        jws        text NOT NULL,
        event_id   uuid NOT NULL
      )`);
    await db.query(`
      CREATE TABLE ledger_signing_keys (
        key_id       text PRIMARY KEY,
        public_jwk   jsonb NOT NULL,
        activated_at timestamptz NOT NULL,
        event_id     uuid NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE ledger_signing_keys');
    await db.query('DROP TABLE ledger_checkpoints');
    await db.query('DROP TABLE integrity_subtrees');
    await db.query('DROP TABLE integrity_leaves');
  }
}
