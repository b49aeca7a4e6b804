import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the training-runs capability. */
export class TrainingRuns1764200000004 implements MigrationInterface {
  name = 'TrainingRuns1764200000004';

  async up(db: QueryRunner): Promise<void> {
    void db;
  }

  async down(db: QueryRunner): Promise<void> {
    void db;
  }
}
