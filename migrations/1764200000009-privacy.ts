import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the privacy capability. */
export class Privacy1764200000009 implements MigrationInterface {
  name = 'Privacy1764200000009';

  async up(db: QueryRunner): Promise<void> {
    // subject_ref is the keyed hash; the raw identifier is stored nowhere.
    await db.query(`
      CREATE TABLE deletion_requests (
        id            uuid PRIMARY KEY,
        subject_ref   text NOT NULL,
        received_on   date NOT NULL,
        due_on        date NOT NULL,
        channel       text,
        status        text NOT NULL CHECK (status IN ('open', 'assessed', 'fulfilled')),
        affected      jsonb,
        notes         text,
        fulfilment    jsonb,
        requested_by  text NOT NULL,
        requested_at  timestamptz NOT NULL,
        assessed_by   text,
        assessed_at   timestamptz,
        fulfilled_by  text,
        fulfilled_at  timestamptz,
        last_revision bigint NOT NULL
      )`);
    await db.query('CREATE INDEX deletion_requests_due ON deletion_requests (due_on, id)');
    await db.query('CREATE INDEX deletion_requests_subject ON deletion_requests (subject_ref)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE deletion_requests');
  }
}
