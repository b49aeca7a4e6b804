import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { unhandled } from '../../../ledger/commands/decider';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import { type EventShape, hasShape } from '../../recorded-event-shape';
import { TRAINING_RUN_EVENT_TYPES, type TrainingRunEvent } from '../../training-run.events';

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

/** The `training_runs` table: one row per run, moved on by each event of its stream. */
@Injectable()
@ReadModelProjection()
export class TrainingRunsProjection implements Projection {
  readonly name = 'training-runs';
  readonly eventTypes = TRAINING_RUN_EVENT_TYPES;
  readonly tables = ['training_runs'];
  private readonly logger = new Logger(TrainingRunsProjection.name);

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as TrainingRunEvent;
    const shape = SHAPES[event.type];
    if (!shape || !hasShape(recorded.data, shape) || !UUID_TEXT.test(event.data.runId)) {
      this.logger.warn({ eventId: recorded.id, type: recorded.type }, 'skipped a malformed event');
      return;
    }
    const revision = recorded.revision.toString();
    switch (event.type) {
      case 'TrainingRunStarted': {
        const run = event.data;
        await manager.query(
          `INSERT INTO training_runs (run_id, model, status, dataset_versions, code, algorithm, hyperparameters,
             environment, started_by, started_at, last_revision)
           VALUES ($1, $2, 'running', $3::jsonb, $4::jsonb, $5, $6::jsonb, $7::jsonb, $8, $9, $10)
           ON CONFLICT (run_id) DO NOTHING`,
          [
            run.runId,
            run.model,
            JSON.stringify(run.datasetVersions),
            JSON.stringify(run.code),
            run.algorithm,
            JSON.stringify(run.hyperparameters),
            JSON.stringify(run.environment),
            run.startedBy,
            run.startedAt,
            revision,
          ],
        );
        return;
      }
      case 'TrainingRunCompleted': {
        const { runId, metrics, validationApproach, artifact, completedBy, completedAt } =
          event.data;
        // Guarded by revision, so a replayed event changes nothing.
        await manager.query(
          `UPDATE training_runs SET status = 'completed', metrics = $2::jsonb, validation_approach = $3,
             artifact = $4::jsonb, finished_by = $5, finished_at = $6, last_revision = $7
           WHERE run_id = $1 AND last_revision < $7`,
          [
            runId,
            JSON.stringify(metrics),
            validationApproach,
            JSON.stringify(artifact),
            completedBy,
            completedAt,
            revision,
          ],
        );
        return;
      }
      case 'TrainingRunFailed': {
        const { runId, reason, failedBy, failedAt } = event.data;
        await manager.query(
          `UPDATE training_runs SET status = 'failed', failure_reason = $2, finished_by = $3,
             finished_at = $4, last_revision = $5
           WHERE run_id = $1 AND last_revision < $5`,
          [runId, reason, failedBy, failedAt, revision],
        );
        return;
      }
      default:
        return unhandled(event);
    }
  }
}
