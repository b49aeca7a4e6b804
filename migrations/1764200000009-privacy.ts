import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the privacy capability. */
export class Privacy1764200000009 implements MigrationInterface {
  name = 'Privacy1764200000009';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
