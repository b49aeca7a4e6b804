import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the approvals capability. */
export class Approvals1764200000006 implements MigrationInterface {
  name = 'Approvals1764200000006';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
