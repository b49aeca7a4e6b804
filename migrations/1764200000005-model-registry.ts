import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the model-registry capability. */
export class ModelRegistry1764200000005 implements MigrationInterface {
  name = 'ModelRegistry1764200000005';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
