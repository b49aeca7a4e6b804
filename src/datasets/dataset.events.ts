import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';

/** One column of a dataset version's schema, with what privacy law needs to know about it. */
export const schemaFieldSchema = z.object({
  name: z.string(),
  type: z.string(),
  /** Personal information (Privacy Act s 6): about an identified or reasonably identifiable person. */
  personal: z.boolean(),
  /** Sensitive information (s 6: health, racial origin, …), a subset of personal. */
  sensitive: z.boolean(),
  /** Kind of personal information, e.g. `financial`, `contact`, `identity`; null when not personal. */
  category: z.string().nullable(),
  /** A protected attribute that fairness is assessed against (age, sex, …). */
  protectedAttribute: z.boolean(),
});
export type SchemaField = z.infer<typeof schemaFieldSchema>;

export const datasetVersionRefSchema = z.object({ name: z.string(), version: z.string() });
export type DatasetVersionRef = z.infer<typeof datasetVersionRefSchema>;
export const datasetVersionFactSchema = datasetVersionRefSchema.extend({ contentHash: z.string() });
export type DatasetVersionFact = z.infer<typeof datasetVersionFactSchema>;

export const DatasetVersionRegisteredEvent = defineEvent({
  type: 'DatasetVersionRegistered',
  schema: z.object({
    name: z.string(),
    version: z.string(),
    contentHash: z.string(),
    rows: z.number(),
    schema: z.array(schemaFieldSchema),
    location: z.string(),
    /** Where the data is held (data sovereignty), e.g. `ap-southeast-2` or `AU`. */
    region: z.string(),
    containsPersonalInformation: z.boolean(),
    containsSensitiveInformation: z.boolean(),
    /** APP 3/6: required when any field is personal; null otherwise. */
    lawfulBasis: z.string().nullable(),
    collectionNotice: z.string().nullable(),
    purpose: z.string().nullable(),
    /** ISO 8601 duration the data may be kept, e.g. P7Y. */
    retention: z.string().nullable(),
    piaId: z.string().nullable(),
    parents: z.array(datasetVersionRefSchema),
    registeredBy: z.string(),
    registeredAt: z.string(),
  }),
});
export type DatasetVersionRegistered = EventOf<typeof DatasetVersionRegisteredEvent>;

export const DatasetValidatedEvent = defineEvent({
  type: 'DatasetValidated',
  schema: z.object({
    name: z.string(),
    version: z.string(),
    validationId: z.string(),
    suite: z.string(),
    passed: z.boolean(),
    checks: z.array(
      z.object({ name: z.string(), passed: z.boolean(), detail: z.string().nullable() }),
    ),
    validatedBy: z.string(),
    validatedAt: z.string(),
  }),
});
export type DatasetValidated = EventOf<typeof DatasetValidatedEvent>;

/** Feature distributions of a version: the baseline drift is measured against. */
export const DatasetProfiledEvent = defineEvent({
  type: 'DatasetProfiled',
  schema: z.object({
    name: z.string(),
    version: z.string(),
    profileId: z.string(),
    features: z.array(
      z.object({
        name: z.string(),
        count: z.number(),
        missing: z.number(),
        mean: z.number().nullable(),
        stddev: z.number().nullable(),
        min: z.number().nullable(),
        max: z.number().nullable(),
        /** Histogram: `edges` has one more entry than `counts`. */
        histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }).nullable(),
        categories: z.record(z.string(), z.number()).nullable(),
      }),
    ),
    profiledBy: z.string(),
    profiledAt: z.string(),
  }),
});
export type DatasetProfiled = EventOf<typeof DatasetProfiledEvent>;

export const DatasetVersionRetiredEvent = defineEvent({
  type: 'DatasetVersionRetired',
  schema: z.object({
    name: z.string(),
    version: z.string(),
    reason: z.string(),
    retiredBy: z.string(),
    retiredAt: z.string(),
  }),
});
export type DatasetVersionRetired = EventOf<typeof DatasetVersionRetiredEvent>;

/**
 * The version's data file was uploaded, hashed to its registered contentHash and checked against
 * its schema (README, `PUT /datasets/{name}/versions/{version}/data`). Only the digest and aggregates: never a row or a value.
 */
export const DatasetDataStoredEvent = defineEvent({
  type: 'DatasetDataStored',
  schema: z.object({
    name: z.string(),
    version: z.string(),
    /** sha256:<64 hex>, the registered contentHash. */
    digest: z.string(),
    size: z.number(),
    /** Data rows, the header row not counted. */
    rows: z.number(),
    /** The header's column names, in the file's order. */
    columns: z.array(z.string()),
    mediaType: z.literal('text/csv'),
    storedBy: z.string(),
    storedAt: z.string(),
  }),
});
export type DatasetDataStored = EventOf<typeof DatasetDataStoredEvent>;

/**
 * The version's data file was deleted from the content store because its declared retention,
 * counted from its registration, had passed (README, `PUT /datasets/{name}/versions/{version}/data`).
 */
export const DatasetDataPurgedEvent = defineEvent({
  type: 'DatasetDataPurged',
  schema: z.object({
    name: z.string(),
    version: z.string(),
    digest: z.string(),
    retention: z.string(),
    /** registeredAt + retention: when the data was due to go. */
    expiredAt: z.string(),
    purgedBy: z.string(),
    purgedAt: z.string(),
  }),
});
export type DatasetDataPurged = EventOf<typeof DatasetDataPurgedEvent>;

/** Everything stored in a `dataset-<name>` stream. */
export type DatasetEvent =
  | DatasetVersionRegistered
  | DatasetValidated
  | DatasetProfiled
  | DatasetVersionRetired
  | DatasetDataStored
  | DatasetDataPurged;

export const DATASET_EVENT_TYPES = [
  'DatasetVersionRegistered',
  'DatasetValidated',
  'DatasetProfiled',
  'DatasetVersionRetired',
  'DatasetDataStored',
  'DatasetDataPurged',
] as const satisfies readonly DatasetEvent['type'][];
