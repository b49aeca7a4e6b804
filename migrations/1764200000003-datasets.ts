import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the datasets capability. */
export class Datasets1764200000003 implements MigrationInterface {
  name = 'Datasets1764200000003';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
