import { MigrationInterface, QueryRunner } from 'typeorm';

/** The stored ONNX file of a model version (ModelArtifactStored): its digest and metadata. */
export class ModelArtifacts1764200000020 implements MigrationInterface {
  name = 'ModelArtifacts1764200000020';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE model_versions ADD COLUMN artifact jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE model_versions DROP COLUMN artifact`);
  }
}
