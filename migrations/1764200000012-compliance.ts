import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the compliance capability. */
export class Compliance1764200000012 implements MigrationInterface {
  name = 'Compliance1764200000012';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
