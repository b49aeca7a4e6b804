import type { DomainEvent } from '../ledger/commands/decider';

/** One column of a dataset version's schema, with what privacy law needs to know about it. */
export type SchemaField = {
  name: string;
  type: string;
  /** Personal information (Privacy Act s 6): about an identified or reasonably identifiable person. */
  personal: boolean;
  /** Sensitive information (s 6: health, racial origin, …), a subset of personal. */
  sensitive: boolean;
  /** Kind of personal information, e.g. `financial`, `contact`, `identity`; null when not personal. */
  category: string | null;
  /** A protected attribute that fairness is assessed against (age, sex, …). */
  protectedAttribute: boolean;
};

export type DatasetVersionRef = { name: string; version: string };
export type DatasetVersionFact = DatasetVersionRef & { contentHash: string };

export type DatasetVersionRegistered = DomainEvent<
  'DatasetVersionRegistered',
  {
    name: string;
    version: string;
    contentHash: string;
    rows: number;
    schema: SchemaField[];
    location: string;
    /** Where the data is held (data sovereignty), e.g. `ap-southeast-2` or `AU`. */
    region: string;
    containsPersonalInformation: boolean;
    containsSensitiveInformation: boolean;
    /** APP 3/6: required when any field is personal; null otherwise. */
    lawfulBasis: string | null;
    collectionNotice: string | null;
    purpose: string | null;
    /** ISO 8601 duration the data may be kept, e.g. P7Y. */
    retention: string | null;
    piaId: string | null;
    parents: DatasetVersionRef[];
    registeredBy: string;
    registeredAt: string;
  }
>;

export type DatasetValidated = DomainEvent<
  'DatasetValidated',
  {
    name: string;
    version: string;
    validationId: string;
    suite: string;
    passed: boolean;
    checks: { name: string; passed: boolean; detail: string | null }[];
    validatedBy: string;
    validatedAt: string;
  }
>;

/** Feature distributions of a version: the baseline drift is measured against. */
export type DatasetProfiled = DomainEvent<
  'DatasetProfiled',
  {
    name: string;
    version: string;
    profileId: string;
    features: {
      name: string;
      count: number;
      missing: number;
      mean: number | null;
      stddev: number | null;
      min: number | null;
      max: number | null;
      /** Histogram: `edges` has one more entry than `counts`. */
      histogram: { edges: number[]; counts: number[] } | null;
      categories: Record<string, number> | null;
    }[];
    profiledBy: string;
    profiledAt: string;
  }
>;

export type DatasetVersionRetired = DomainEvent<
  'DatasetVersionRetired',
  { name: string; version: string; reason: string; retiredBy: string; retiredAt: string }
>;

/**
 * The version's data file was uploaded, hashed to its registered contentHash and checked against
 * its schema (README, `PUT /datasets/{name}/versions/{version}/data`). Only the digest and aggregates: never a row or a value.
 */
export type DatasetDataStored = DomainEvent<
  'DatasetDataStored',
  {
    name: string;
    version: string;
    /** sha256:<64 hex>, the registered contentHash. */
    digest: string;
    size: number;
    /** Data rows, the header row not counted. */
    rows: number;
    /** The header's column names, in the file's order. */
    columns: string[];
    mediaType: 'text/csv';
    storedBy: string;
    storedAt: string;
  }
>;

/**
 * The version's data file was deleted from the content store because its declared retention,
 * counted from its registration, had passed (README, `PUT /datasets/{name}/versions/{version}/data`).
 */
export type DatasetDataPurged = DomainEvent<
  'DatasetDataPurged',
  {
    name: string;
    version: string;
    digest: string;
    retention: string;
    /** registeredAt + retention: when the data was due to go. */
    expiredAt: string;
    purgedBy: string;
    purgedAt: string;
  }
>;

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
