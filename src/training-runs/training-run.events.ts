import { z } from 'zod';
import { datasetVersionFactSchema } from '../datasets/dataset.events';
import { type EventOf, defineEvent } from '../ledger/events/define-event';
import { jsonObject } from '../ledger/events/json-schemas';

export const TrainingRunStartedEvent = defineEvent({
  type: 'TrainingRunStarted',
  schema: z.object({
    runId: z.string(),
    model: z.string(),
    /** The registered dataset versions it trains on, with the content hash read from their streams. */
    datasetVersions: z.array(datasetVersionFactSchema),
    code: z.object({ repository: z.string(), commit: z.string() }),
    algorithm: z.string(),
    hyperparameters: jsonObject,
    /** Runtime: framework versions, container image, hardware. */
    environment: jsonObject,
    startedBy: z.string(),
    startedAt: z.string(),
  }),
});
export type TrainingRunStarted = EventOf<typeof TrainingRunStartedEvent>;

export const TrainingRunCompletedEvent = defineEvent({
  type: 'TrainingRunCompleted',
  schema: z.object({
    runId: z.string(),
    metrics: z.record(z.string(), z.number()),
    /** e.g. `5-fold cross-validation`, `out-of-time holdout 2025-Q4`. */
    validationApproach: z.string(),
    artifact: z.object({ uri: z.string(), digest: z.string(), format: z.string() }),
    completedBy: z.string(),
    completedAt: z.string(),
  }),
});
export type TrainingRunCompleted = EventOf<typeof TrainingRunCompletedEvent>;

export const TrainingRunFailedEvent = defineEvent({
  type: 'TrainingRunFailed',
  schema: z.object({
    runId: z.string(),
    reason: z.string(),
    failedBy: z.string(),
    failedAt: z.string(),
  }),
});
export type TrainingRunFailed = EventOf<typeof TrainingRunFailedEvent>;

/** Everything stored in a `training-run-<id>` stream. */
export type TrainingRunEvent = TrainingRunStarted | TrainingRunCompleted | TrainingRunFailed;

export const TRAINING_RUN_EVENT_TYPES = [
  'TrainingRunStarted',
  'TrainingRunCompleted',
  'TrainingRunFailed',
] as const satisfies readonly TrainingRunEvent['type'][];
