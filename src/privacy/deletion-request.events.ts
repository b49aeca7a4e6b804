import type { DatasetVersionRef } from '../datasets/dataset.events';
import type { DomainEvent } from '../ledger/commands/decider';
import type { AccountedItem, AffectedItem } from './deletion-accounting';

/** A data subject's deletion request. The subject appears only as a keyed hash (docs/design.md §3). */
export type DeletionRequested = DomainEvent<
  'DeletionRequested',
  {
    requestId: string;
    /** `hmac-sha256:<64 hex>` of the subject identifier under the configured pepper. */
    subjectRef: string;
    /** Date the request was received (YYYY-MM-DD); due 30 days later (APP 12/13 practice). */
    receivedOn: string;
    dueOn: string;
    channel: string | null;
    requestedBy: string;
    requestedAt: string;
  }
>;

export type DeletionAssessed = DomainEvent<
  'DeletionAssessed',
  {
    requestId: string;
    affected: {
      datasetVersions: DatasetVersionRef[];
      models: { name: string; version: string }[];
      deployments: string[];
    };
    notes: string | null;
    assessedBy: string;
    assessedAt: string;
  }
>;

export type DeletionFulfilled = DomainEvent<
  'DeletionFulfilled',
  {
    requestId: string;
    /**
     * New dataset versions registered without the subject, each with the affected versions it
     * replaces (`replaces` is absent from fulfilments recorded before it existed).
     */
    replacementDatasetVersions: (DatasetVersionRef & { replaces?: DatasetVersionRef[] })[];
    /** Model versions retrained on them, each with the affected model versions it replaces. */
    retrainedModels: { name: string; version: string; replaces?: DatasetVersionRef[] }[];
    /**
     * Items kept, each with the reason (legal hold, retention obligation, …) and the affected
     * item it covers (`covers` is absent from fulfilments recorded before it existed).
     */
    exceptions: { item: string; reason: string; covers?: AffectedItem }[];
    /**
     * How every affected item of the assessment was accounted for. Absent from fulfilments
     * recorded before every item had to be: the OAIC report works it out and flags what is not.
     */
    accountedFor?: AccountedItem[];
    fulfilledBy: string;
    fulfilledAt: string;
  }
>;

/** Everything stored in a `deletion-request-<id>` stream. */
export type DeletionRequestEvent = DeletionRequested | DeletionAssessed | DeletionFulfilled;

export const DELETION_REQUEST_EVENT_TYPES = [
  'DeletionRequested',
  'DeletionAssessed',
  'DeletionFulfilled',
] as const satisfies readonly DeletionRequestEvent['type'][];
