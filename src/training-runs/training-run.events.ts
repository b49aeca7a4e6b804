import type { DatasetVersionFact } from '../datasets/dataset.events';
import type { DomainEvent } from '../ledger/commands/decider';
import type { JsonObject } from '../ledger/event-log.port';

export type TrainingRunStarted = DomainEvent<
  'TrainingRunStarted',
  {
    runId: string;
    model: string;
    /** The registered dataset versions it trains on, with the content hash read from their streams. */
    datasetVersions: DatasetVersionFact[];
    code: { repository: string; commit: string };
    algorithm: string;
    hyperparameters: JsonObject;
    /** Runtime: framework versions, container image, hardware. */
    environment: JsonObject;
    startedBy: string;
    startedAt: string;
  }
>;

export type TrainingRunCompleted = DomainEvent<
  'TrainingRunCompleted',
  {
    runId: string;
    metrics: Record<string, number>;
    /** e.g. `5-fold cross-validation`, `out-of-time holdout 2025-Q4`. */
    validationApproach: string;
    artifact: { uri: string; digest: string; format: string };
    completedBy: string;
    completedAt: string;
  }
>;

export type TrainingRunFailed = DomainEvent<
  'TrainingRunFailed',
  { runId: string; reason: string; failedBy: string; failedAt: string }
>;

/** Everything stored in a `training-run-<id>` stream. */
export type TrainingRunEvent = TrainingRunStarted | TrainingRunCompleted | TrainingRunFailed;

export const TRAINING_RUN_EVENT_TYPES = [
  'TrainingRunStarted',
  'TrainingRunCompleted',
  'TrainingRunFailed',
] as const satisfies readonly TrainingRunEvent['type'][];
