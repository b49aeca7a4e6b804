import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the predictions capability. */
export class Predictions1764200000008 implements MigrationInterface {
  name = 'Predictions1764200000008';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
