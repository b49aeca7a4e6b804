import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read model of the datasets capability: one row per dataset version. */
export class Datasets1764200000003 implements MigrationInterface {
  name = 'Datasets1764200000003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE dataset_versions (
        name               text NOT NULL,
        version            text NOT NULL,
        content_hash       text NOT NULL,
        rows               bigint NOT NULL,
        schema             jsonb NOT NULL,
        location           text NOT NULL,
        region             text NOT NULL,
        contains_personal  boolean NOT NULL,
        contains_sensitive boolean NOT NULL,
        lawful_basis       text,
        collection_notice  text,
        purpose            text,
        retention          text,
        pia_id             text,
        parents            jsonb NOT NULL,
        status             text NOT NULL,
        retired_reason     text,
        validations        jsonb NOT NULL DEFAULT '[]',
        latest_profile     jsonb,
        registered_by      text NOT NULL,
        registered_at      timestamptz NOT NULL,
        event_id           uuid NOT NULL,
        PRIMARY KEY (name, version)
      )`);
    await db.query('CREATE INDEX dataset_versions_registered ON dataset_versions (registered_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE dataset_versions');
  }
}
