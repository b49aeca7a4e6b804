import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the deployments capability. */
export class Deployments1764200000007 implements MigrationInterface {
  name = 'Deployments1764200000007';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
