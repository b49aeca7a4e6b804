import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the lineage capability. */
export class Lineage1764200000010 implements MigrationInterface {
  name = 'Lineage1764200000010';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
