import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether each dataset version's data file is stored, purged or was never stored
 * (DatasetDataStored, DatasetDataPurged), as the dataset version view's `data`. The
 * dataset-versions projection replays from the start (every statement of it is safe to replay),
 * so versions whose data was stored before this column get their status.
 */
export class DatasetDataStatus1764200000022 implements MigrationInterface {
  name = 'DatasetDataStatus1764200000022';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE dataset_versions ADD COLUMN data jsonb`);
    await db.query(
      `UPDATE dataset_versions SET data = jsonb_build_object('status', 'not-stored', 'digest', content_hash)`,
    );
    await db.query(`ALTER TABLE dataset_versions ALTER COLUMN data SET NOT NULL`);
    await db.query(
      `UPDATE projection_checkpoints SET position = NULL, updated_at = now()
       WHERE projection = 'dataset-versions'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE dataset_versions DROP COLUMN data`);
  }
}
