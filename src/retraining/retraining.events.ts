import type { DomainEvent } from '../ledger/commands/decider';

/** Why a model should be trained again (README, "Retraining triggers"). */
export const RETRAINING_REASONS = ['drift', 'performance', 'cadence', 'manual'] as const;
export type RetrainingReason = (typeof RETRAINING_REASONS)[number];

/**
 * An event behind a trigger, cited by id with the figures it carried: never the data it was
 * measured on, so a trigger holds no personal information.
 */
export type RetrainingSignal = {
  eventId: string;
  /** The cited event's type, e.g. DriftDetected, PerformanceDegraded, TrainingRunCompleted. */
  type: string;
  metric?: string;
  value?: number;
  threshold?: number;
};

/**
 * A model is due for retraining: a drift or performance breach, its cadence, or a person said so.
 * Pipelines learn of it through webhooks (README, "Webhooks"); the ledger records that it was asked.
 */
export type RetrainingTriggered = DomainEvent<
  'RetrainingTriggered',
  {
    model: string;
    /** Derived from what caused it, so the same cause triggers once however often it is seen. */
    triggerId: string;
    reason: RetrainingReason;
    signals: RetrainingSignal[];
    /** Why, in words, for a manual trigger; names no person. */
    note?: string;
    triggeredBy: string;
    triggeredAt: string;
  }
>;

/** Everything stored in a `retraining-<model>` stream. */
export type RetrainingEvent = RetrainingTriggered;

export const RETRAINING_EVENT_TYPES = [
  'RetrainingTriggered',
] as const satisfies readonly RetrainingEvent['type'][];
