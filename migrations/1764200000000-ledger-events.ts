import { MigrationInterface, QueryRunner } from 'typeorm';

/** The event store: one row per event, a global sequence plus the appending transaction's xid8. */
export class LedgerEvents1764200000000 implements MigrationInterface {
  name = 'LedgerEvents1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ledger_events (
        position       bigint GENERATED ALWAYS AS IDENTITY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        id             uuid NOT NULL,
        stream         text NOT NULL,
        revision       bigint NOT NULL CHECK (revision >= 0),
        type           text NOT NULL,
        data           jsonb NOT NULL,
        metadata       jsonb NOT NULL,
        hash           char(64) NOT NULL,
        prev_hash      char(64) NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_events_pkey PRIMARY KEY (id),
        CONSTRAINT ledger_events_stream_revision_key UNIQUE (stream, revision)
      )`);
    await db.query(
      'CREATE UNIQUE INDEX ledger_events_global_order ON ledger_events (transaction_id, position)',
    );
    // The ledger is append-only: refuse UPDATE, DELETE and TRUNCATE from the application's own role.
    await db.query(`
      CREATE FUNCTION attest_ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_events is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER ledger_events_append_only BEFORE UPDATE OR DELETE ON ledger_events
      FOR EACH ROW EXECUTE FUNCTION attest_ledger_immutable()`);
    await db.query(`
      CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
      FOR EACH STATEMENT EXECUTE FUNCTION attest_ledger_immutable()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE ledger_events');
    await db.query('DROP FUNCTION attest_ledger_immutable()');
  }
}
