import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { firstPerKey, recordset, waves } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
  type Recorded,
} from '../../../ledger/projections/projection';
import { type EventShape, wellFormed } from '../../recorded-event-shape';
import type { TrainingRunEvent } from '../../training-run.events';

const SHAPES: Record<TrainingRunEvent['type'], EventShape> = {
  TrainingRunStarted: {
    text: ['runId', 'model', 'algorithm', 'startedBy'],
    times: ['startedAt'],
    lists: ['datasetVersions'],
    objects: ['code', 'hyperparameters', 'environment'],
  },
  TrainingRunCompleted: {
    text: ['runId', 'validationApproach', 'completedBy'],
    times: ['completedAt'],
    objects: ['metrics', 'artifact'],
  },
  TrainingRunFailed: { text: ['runId', 'reason', 'failedBy'], times: ['failedAt'] },
};

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hasRunId = (event: Recorded<{ type: string; data: { runId: string } }>) =>
  UUID_TEXT.test(event.data.runId);
const runOf = (event: Recorded<{ type: string; data: { runId: string } }>) => event.data.runId;

/**
 * The `training_runs` table: one row per run, moved on by each event of its stream. A run of
 * starts is one multi-row insert; completions and failures are one `UPDATE … FROM` per wave,
 * each guarded by the stream revision, so a replayed event changes nothing.
 */
@Injectable()
@ReadModelProjection()
export class TrainingRunsProjection extends DeclaredProjection<TrainingRunEvent> {
  readonly name = 'training-runs';
  readonly tables = ['training_runs'];
  private readonly logger = new Logger(TrainingRunsProjection.name);

  protected readonly handlers: Handlers<TrainingRunEvent> = {
    TrainingRunStarted: async (events, { manager }) => {
      const started = wellFormed(events, SHAPES.TrainingRunStarted, this.logger, hasRunId);
      if (started.length === 0) return;
      const rows = firstPerKey(started, runOf).map(({ data: run, revision }) => ({
        run_id: run.runId,
        model: run.model,
        dataset_versions: run.datasetVersions,
        code: run.code,
        algorithm: run.algorithm,
        hyperparameters: run.hyperparameters,
        environment: run.environment,
        started_by: run.startedBy,
        started_at: run.startedAt,
        last_revision: revision.toString(),
      }));
      await manager.query(
        `INSERT INTO training_runs (run_id, model, status, dataset_versions, code, algorithm,
           hyperparameters, environment, started_by, started_at, last_revision)
         SELECT run_id, model, 'running', dataset_versions, code, algorithm, hyperparameters,
           environment, started_by, started_at, last_revision
         FROM jsonb_to_recordset($1::jsonb) AS r(run_id uuid, model text, dataset_versions jsonb,
           code jsonb, algorithm text, hyperparameters jsonb, environment jsonb, started_by text,
           started_at timestamptz, last_revision bigint)
         ON CONFLICT (run_id) DO NOTHING`,
        [recordset(rows)],
      );
    },

    TrainingRunCompleted: (events, { manager }) =>
      inWaves(
        manager,
        wellFormed(events, SHAPES.TrainingRunCompleted, this.logger, hasRunId),
        `UPDATE training_runs t SET status = 'completed', metrics = r.metrics,
           validation_approach = r.validation_approach, artifact = r.artifact,
           finished_by = r.finished_by, finished_at = r.finished_at, last_revision = r.revision
         FROM jsonb_to_recordset($1::jsonb) AS r(run_id uuid, metrics jsonb,
           validation_approach text, artifact jsonb, finished_by text, finished_at timestamptz,
           revision bigint)
         WHERE t.run_id = r.run_id AND t.last_revision < r.revision`,
        ({ data, revision }) => ({
          run_id: data.runId,
          metrics: data.metrics,
          validation_approach: data.validationApproach,
          artifact: data.artifact,
          finished_by: data.completedBy,
          finished_at: data.completedAt,
          revision: revision.toString(),
        }),
      ),

    TrainingRunFailed: (events, { manager }) =>
      inWaves(
        manager,
        wellFormed(events, SHAPES.TrainingRunFailed, this.logger, hasRunId),
        `UPDATE training_runs t SET status = 'failed', failure_reason = r.reason,
           finished_by = r.finished_by, finished_at = r.finished_at, last_revision = r.revision
         FROM jsonb_to_recordset($1::jsonb) AS r(run_id uuid, reason text, finished_by text,
           finished_at timestamptz, revision bigint)
         WHERE t.run_id = r.run_id AND t.last_revision < r.revision`,
        ({ data, revision }) => ({
          run_id: data.runId,
          reason: data.reason,
          finished_by: data.failedBy,
          finished_at: data.failedAt,
          revision: revision.toString(),
        }),
      ),
  };
}

/** One statement per wave of the run (each training run at most once per wave), in ledger order. */
async function inWaves<E extends Recorded<{ type: string; data: { runId: string } }>>(
  manager: EntityManager,
  events: readonly E[],
  sql: string,
  row: (event: E) => object,
): Promise<void> {
  for (const wave of waves(events, runOf)) await manager.query(sql, [recordset(wave.map(row))]);
}
