import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models of the training-runs capability. */
export class TrainingRuns1764200000004 implements MigrationInterface {
  name = 'TrainingRuns1764200000004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE training_runs (
        run_id              uuid PRIMARY KEY,
        model               text NOT NULL,
        status              text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        dataset_versions    jsonb NOT NULL,
        code                jsonb NOT NULL,
        algorithm           text NOT NULL,
        hyperparameters     jsonb NOT NULL,
        environment         jsonb NOT NULL,
        metrics             jsonb,
        validation_approach text,
        artifact            jsonb,
        failure_reason      text,
        started_by          text NOT NULL,
        started_at          timestamptz NOT NULL,
        finished_by         text,
        finished_at         timestamptz,
        last_revision       bigint NOT NULL
      )`);
    await db.query(
      'CREATE INDEX training_runs_by_model ON training_runs (model, started_at DESC, run_id DESC)',
    );
    await db.query(
      'CREATE INDEX training_runs_by_start ON training_runs (started_at DESC, run_id DESC)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE training_runs');
  }
}
