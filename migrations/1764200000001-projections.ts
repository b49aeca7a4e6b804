import { MigrationInterface, QueryRunner } from 'typeorm';

/** Projection checkpoints and the first read model, the per-stream index. */
export class Projections1764200000001 implements MigrationInterface {
  name = 'Projections1764200000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projection_checkpoints (
        projection text PRIMARY KEY,
        position   text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE stream_index (
        stream          text PRIMARY KEY,
        event_count     bigint NOT NULL,
        last_revision   bigint NOT NULL,
        last_event_id   uuid NOT NULL,
        last_event_type text NOT NULL,
        last_hash       char(64) NOT NULL,
        last_position   text NOT NULL,
        last_recorded_at timestamptz NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE stream_index');
    await db.query('DROP TABLE projection_checkpoints');
  }
}
