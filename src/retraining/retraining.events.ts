import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';

/** Why a model should be trained again (README, "Retraining triggers"). */
export const RETRAINING_REASONS = ['drift', 'performance', 'cadence', 'manual'] as const;
export type RetrainingReason = (typeof RETRAINING_REASONS)[number];

/**
 * An event behind a trigger, cited by id with the figures it carried: never the data it was
 * measured on, so a trigger holds no personal information.
 */
export const retrainingSignalSchema = z.object({
  eventId: z.string(),
  /** The cited event's type, e.g. DriftDetected, PerformanceDegraded, TrainingRunCompleted. */
  type: z.string(),
  metric: z.string().optional(),
  value: z.number().optional(),
  threshold: z.number().optional(),
});
export type RetrainingSignal = z.infer<typeof retrainingSignalSchema>;

/**
 * A model is due for retraining: a drift or performance breach, its cadence, or a person said so.
 * Pipelines learn of it through webhooks (README, "Webhooks"); the ledger records that it was asked.
 */
export const RetrainingTriggeredEvent = defineEvent({
  type: 'RetrainingTriggered',
  schema: z.object({
    model: z.string(),
    /** Derived from what caused it, so the same cause triggers once however often it is seen. */
    triggerId: z.string(),
    reason: z.enum(RETRAINING_REASONS),
    signals: z.array(retrainingSignalSchema),
    /** Why, in words, for a manual trigger; names no person. */
    note: z.string().optional(),
    triggeredBy: z.string(),
    triggeredAt: z.string(),
  }),
});
export type RetrainingTriggered = EventOf<typeof RetrainingTriggeredEvent>;

/** Everything stored in a `retraining-<model>` stream. */
export type RetrainingEvent = RetrainingTriggered;

export const RETRAINING_EVENT_TYPES = [
  'RetrainingTriggered',
] as const satisfies readonly RetrainingEvent['type'][];
