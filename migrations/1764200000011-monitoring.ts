import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the monitoring capability. */
export class Monitoring1764200000011 implements MigrationInterface {
  name = 'Monitoring1764200000011';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
