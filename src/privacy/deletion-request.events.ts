import { z } from 'zod';
import { datasetVersionRefSchema } from '../datasets/dataset.events';
import { type EventOf, defineEvent } from '../ledger/events/define-event';
import {
  ACCOUNTING_METHODS,
  AFFECTED_KINDS,
  type AccountedItem,
  type AffectedItem,
} from './deletion-accounting';

const affectedItemSchema = z.object({
  kind: z.enum(AFFECTED_KINDS),
  id: z.string(),
}) satisfies z.ZodType<AffectedItem>;

const accountedItemSchema = affectedItemSchema.extend({
  by: z.enum(ACCOUNTING_METHODS),
  /** The replacement or retrained version (`name@version`), or the exception's reason. */
  detail: z.string(),
}) satisfies z.ZodType<AccountedItem>;

/** A data subject's deletion request. The subject appears only as a keyed hash (docs/design.md §3). */
export const DeletionRequestedEvent = defineEvent({
  type: 'DeletionRequested',
  schema: z.object({
    requestId: z.string(),
    /** `hmac-sha256:<64 hex>` of the subject identifier under the configured pepper. */
    subjectRef: z.string(),
    /** Date the request was received (YYYY-MM-DD); due 30 days later (APP 12/13 practice). */
    receivedOn: z.string(),
    dueOn: z.string(),
    channel: z.string().nullable(),
    requestedBy: z.string(),
    requestedAt: z.string(),
  }),
});
export type DeletionRequested = EventOf<typeof DeletionRequestedEvent>;

export const DeletionAssessedEvent = defineEvent({
  type: 'DeletionAssessed',
  schema: z.object({
    requestId: z.string(),
    affected: z.object({
      datasetVersions: z.array(datasetVersionRefSchema),
      models: z.array(z.object({ name: z.string(), version: z.string() })),
      deployments: z.array(z.string()),
    }),
    notes: z.string().nullable(),
    assessedBy: z.string(),
    assessedAt: z.string(),
  }),
});
export type DeletionAssessed = EventOf<typeof DeletionAssessedEvent>;

export const DeletionFulfilledEvent = defineEvent({
  type: 'DeletionFulfilled',
  schema: z.object({
    requestId: z.string(),
    /**
     * New dataset versions registered without the subject, each with the affected versions it
     * replaces (`replaces` is absent from fulfilments recorded before it existed).
     */
    replacementDatasetVersions: z.array(
      datasetVersionRefSchema.extend({ replaces: z.array(datasetVersionRefSchema).optional() }),
    ),
    /** Model versions retrained on them, each with the affected model versions it replaces. */
    retrainedModels: z.array(
      z.object({
        name: z.string(),
        version: z.string(),
        replaces: z.array(datasetVersionRefSchema).optional(),
      }),
    ),
    /**
     * Items kept, each with the reason (legal hold, retention obligation, …) and the affected
     * item it covers (`covers` is absent from fulfilments recorded before it existed).
     */
    exceptions: z.array(
      z.object({ item: z.string(), reason: z.string(), covers: affectedItemSchema.optional() }),
    ),
    /**
     * How every affected item of the assessment was accounted for. Absent from fulfilments
     * recorded before every item had to be: the OAIC report works it out and flags what is not.
     */
    accountedFor: z.array(accountedItemSchema).optional(),
    fulfilledBy: z.string(),
    fulfilledAt: z.string(),
  }),
});
export type DeletionFulfilled = EventOf<typeof DeletionFulfilledEvent>;

/** Everything stored in a `deletion-request-<id>` stream. */
export type DeletionRequestEvent = DeletionRequested | DeletionAssessed | DeletionFulfilled;

export const DELETION_REQUEST_EVENT_TYPES = [
  'DeletionRequested',
  'DeletionAssessed',
  'DeletionFulfilled',
] as const satisfies readonly DeletionRequestEvent['type'][];
