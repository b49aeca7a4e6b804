import { type Decider, unhandled } from '../ledger/commands/decider';
import { differenceErrors, factDifferences } from '../ledger/commands/fact-differences';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import type {
  DatasetDataPurged,
  DatasetDataStored,
  DatasetEvent,
  DatasetProfiled,
  DatasetValidated,
  DatasetVersionRegistered,
  DatasetVersionRetired,
  SchemaField,
} from './dataset.events';

/** What the registrant states; the decider derives the personal/sensitive summary flags. */
export type RegisterDatasetVersion = {
  type: 'RegisterDatasetVersion';
  data: Omit<
    DatasetVersionRegistered['data'],
    'containsPersonalInformation' | 'containsSensitiveInformation' | 'registeredBy' | 'registeredAt'
  >;
  actor: string;
  now: string;
};

export type RecordDatasetValidation = {
  type: 'RecordDatasetValidation';
  data: Omit<DatasetValidated['data'], 'validatedBy' | 'validatedAt'>;
  actor: string;
  now: string;
};

export type RecordDatasetProfile = {
  type: 'RecordDatasetProfile';
  data: Omit<DatasetProfiled['data'], 'profiledBy' | 'profiledAt'>;
  actor: string;
  now: string;
};

export type RetireDatasetVersion = {
  type: 'RetireDatasetVersion';
  data: { name: string; version: string; reason: string };
  actor: string;
  now: string;
};

export type StoreDatasetData = {
  type: 'StoreDatasetData';
  data: Omit<DatasetDataStored['data'], 'storedBy' | 'storedAt'>;
  actor: string;
  now: string;
};

export type PurgeDatasetData = {
  type: 'PurgeDatasetData';
  data: { name: string; version: string };
  actor: string;
  now: string;
};

export type DatasetCommand =
  | RegisterDatasetVersion
  | RecordDatasetValidation
  | RecordDatasetProfile
  | RetireDatasetVersion
  | StoreDatasetData
  | PurgeDatasetData;

export type DatasetVersionState = {
  contentHash: string;
  /** What the registrant stated, as recorded: a registration again must state the same. */
  registration: RegisterDatasetVersion['data'];
  retired: boolean;
  validationIds: string[];
  profileIds: string[];
  /** The stored data file, once uploaded (its digest is the contentHash). */
  data?: DatasetDataStored['data'];
  /** The stored data file was deleted when its retention passed; it is not taken again. */
  dataPurged: boolean;
  registeredAt: string;
};

/** One dataset (all its versions): the `dataset-<name>` stream folded. */
export type DatasetState = { versions: ReadonlyMap<string, DatasetVersionState> };

const SHA256 = /^sha256:[0-9a-f]{64}$/;

export const datasetDecider: Decider<DatasetCommand, DatasetEvent, DatasetState> = {
  initialState: () => ({ versions: new Map() }),

  evolve(state, event) {
    const { version } = event.data;
    // A version is looked up in a Map: a plain object would find `constructor` on its prototype.
    const current = state.versions.get(version) as DatasetVersionState;
    switch (event.type) {
      case 'DatasetVersionRegistered': {
        const {
          containsPersonalInformation: _personal,
          containsSensitiveInformation: _sensitive,
          registeredBy: _by,
          registeredAt,
          ...registration
        } = event.data;
        return withVersion(state, version, {
          contentHash: event.data.contentHash,
          registration,
          registeredAt,
          dataPurged: false,
          retired: false,
          validationIds: [],
          profileIds: [],
        });
      }
      case 'DatasetValidated':
        return withVersion(state, version, {
          ...current,
          validationIds: [...current.validationIds, event.data.validationId],
        });
      case 'DatasetProfiled':
        return withVersion(state, version, {
          ...current,
          profileIds: [...current.profileIds, event.data.profileId],
        });
      case 'DatasetVersionRetired':
        return withVersion(state, version, { ...current, retired: true });
      case 'DatasetDataStored':
        return withVersion(state, version, { ...current, data: event.data });
      case 'DatasetDataPurged':
        return withVersion(state, version, { ...current, dataPurged: true });
      default:
        return unhandled(event);
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterDatasetVersion':
        return register(command, state);
      case 'RecordDatasetValidation': {
        const { name, version, validationId } = command.data;
        const current = activeVersion(state, name, version);
        if (current.validationIds.includes(validationId)) return [];
        const data = { ...command.data, validatedBy: command.actor, validatedAt: command.now };
        return [{ type: 'DatasetValidated', data }];
      }
      case 'RecordDatasetProfile': {
        const { name, version, profileId } = command.data;
        const current = activeVersion(state, name, version);
        if (current.profileIds.includes(profileId)) return [];
        for (const feature of command.data.features) {
          const { histogram } = feature;
          if (histogram && histogram.edges.length !== histogram.counts.length + 1) {
            throw new RuleViolated(
              'histogram-shape',
              `feature ${feature.name}: a histogram needs one more edge than counts`,
              {
                errors: {
                  [`features.${feature.name}.histogram`]: [
                    'edges must have one more entry than counts',
                  ],
                },
              },
            );
          }
        }
        const data = { ...command.data, profiledBy: command.actor, profiledAt: command.now };
        return [{ type: 'DatasetProfiled', data }];
      }
      case 'RetireDatasetVersion': {
        const { name, version, reason } = command.data;
        const current = state.versions.get(version);
        if (!current) throw new NotRecorded('dataset version', `${name}@${version}`);
        if (current.retired) return [];
        const data = { name, version, reason, retiredBy: command.actor, retiredAt: command.now };
        return [{ type: 'DatasetVersionRetired', data } satisfies DatasetVersionRetired];
      }
      case 'StoreDatasetData':
        return storeData(command, state);
      case 'PurgeDatasetData':
        return purgeData(command, state);
      default:
        return unhandled(command);
    }
  },
};

function register(command: RegisterDatasetVersion, state: DatasetState): DatasetEvent[] {
  const { data } = command;
  if (!SHA256.test(data.contentHash)) {
    throw new RuleViolated('invalid-content-hash', 'contentHash must be sha256:<64 hex>', {
      errors: { contentHash: ['must be sha256: followed by 64 lower-case hex digits'] },
    });
  }
  const existing = state.versions.get(data.version);
  if (existing) {
    // Versions are immutable: the same facts again are the same fact (nothing appended); other
    // content or other facts about it (region, personal-data flags, retention, …) are refused.
    const differences = factDifferences(existing.registration, data);
    if (differences.length === 0) return [];
    const otherContent = existing.contentHash !== data.contentHash;
    throw new StateConflict(
      'dataset-version-immutable',
      otherContent
        ? `${data.name}@${data.version} is already registered with content ${existing.contentHash}; register a new version`
        : `${data.name}@${data.version} is already registered with the same content but other facts (${differences.map((d) => d.field).join(', ')}); register a new version to change them`,
      {
        recordedContentHash: existing.contentHash,
        differences,
        errors: differenceErrors(differences),
      },
    );
  }
  checkSchema(data.schema);
  const containsPersonalInformation = data.schema.some((field) => field.personal);
  const containsSensitiveInformation = data.schema.some((field) => field.sensitive);
  if (containsPersonalInformation) {
    const missing = (['lawfulBasis', 'collectionNotice', 'retention'] as const).filter(
      (field) => !data[field],
    );
    if (missing.length > 0) {
      throw new RuleViolated(
        'personal-information-unaccounted',
        `${data.name}@${data.version} holds personal information, so ${missing.join(', ')} must be stated (APP 3, 5, 11)`,
        {
          errors: Object.fromEntries(
            missing.map((field) => [field, ['required when a schema field is personal']]),
          ),
        },
      );
    }
  }
  return [
    {
      type: 'DatasetVersionRegistered',
      data: {
        ...data,
        containsPersonalInformation,
        containsSensitiveInformation,
        registeredBy: command.actor,
        registeredAt: command.now,
      },
    },
  ];
}

/**
 * A version's data is the file whose bytes hash to its registered contentHash; storing it again
 * is the same fact and appends nothing.
 */
function storeData(command: StoreDatasetData, state: DatasetState): DatasetEvent[] {
  const { data } = command;
  const current = activeVersion(state, data.name, data.version);
  if (current.dataPurged) throw dataPurgedConflict(data.name, data.version);
  if (data.digest !== current.contentHash) {
    throw new RuleViolated(
      'dataset-digest-mismatch',
      `the data's digest ${data.digest} is not ${data.name}@${data.version}'s registered contentHash ${current.contentHash}`,
      {
        digest: data.digest,
        contentHash: current.contentHash,
        errors: { body: [`hashes to ${data.digest}, not the registered ${current.contentHash}`] },
      },
    );
  }
  if (current.data) return [];
  return [
    {
      type: 'DatasetDataStored',
      data: { ...data, storedBy: command.actor, storedAt: command.now },
    } satisfies DatasetDataStored,
  ];
}

/** The data is not taken again once its retention passed and it was deleted. */
export function dataPurgedConflict(name: string, version: string): StateConflict {
  return new StateConflict(
    'dataset-data-purged',
    `${name}@${version}'s data was deleted when its retention passed; register a new version`,
  );
}

/**
 * When a version's data is due to go: registeredAt plus its ISO 8601 retention (years, months,
 * weeks, days, as RegisterDatasetVersionRequest takes it), added on the UTC calendar; null
 * without a retention.
 */
export function retentionExpiry(registeredAt: string, retention: string | null): string | null {
  const match = retention
    ? /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(retention)
    : null;
  if (!match) return null;
  const [years, months, weeks, days] = match.slice(1).map((part) => Number(part ?? 0));
  const at = new Date(registeredAt);
  // A month on from 31 January is the last day of February, not 3 March.
  const month = at.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(at.getUTCFullYear() + years, month + 1, 0)).getUTCDate();
  at.setUTCFullYear(at.getUTCFullYear() + years, month, Math.min(at.getUTCDate(), lastDay));
  at.setUTCDate(at.getUTCDate() + weeks * 7 + days);
  return at.toISOString();
}

/** Deletion of a version's stored data once its retention has passed; once only. */
function purgeData(command: PurgeDatasetData, state: DatasetState): DatasetEvent[] {
  const { name, version } = command.data;
  const current = state.versions.get(version);
  if (!current) throw new NotRecorded('dataset version', `${name}@${version}`);
  if (!current.data || current.dataPurged) return [];
  const { retention } = current.registration;
  const expiredAt = retentionExpiry(current.registeredAt, retention);
  if (retention === null || expiredAt === null || expiredAt > command.now) {
    throw new RuleViolated(
      'dataset-retention-not-passed',
      `${name}@${version}'s retention (${retention ?? 'none'}) has not passed`,
      { retention, expiredAt },
    );
  }
  return [
    {
      type: 'DatasetDataPurged',
      data: {
        name,
        version,
        digest: current.data.digest,
        retention,
        expiredAt,
        purgedBy: command.actor,
        purgedAt: command.now,
      },
    } satisfies DatasetDataPurged,
  ];
}

function checkSchema(schema: SchemaField[]): void {
  const errors: Record<string, string[]> = {};
  const seen = new Set<string>();
  schema.forEach((field, index) => {
    const at = `schema.${index}`;
    if (seen.has(field.name)) errors[`${at}.name`] = [`${field.name} appears twice`];
    seen.add(field.name);
    if (field.sensitive && !field.personal) {
      errors[`${at}.personal`] = ['sensitive information is personal information: set personal'];
    }
    if (field.personal && !field.category) {
      errors[`${at}.category`] = ['a personal field needs its kind of personal information'];
    }
  });
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated('invalid-schema', 'the schema flags are inconsistent', { errors });
  }
}

function activeVersion(state: DatasetState, name: string, version: string): DatasetVersionState {
  const current = state.versions.get(version);
  if (!current) throw new NotRecorded('dataset version', `${name}@${version}`);
  if (current.retired) {
    throw new StateConflict('dataset-version-retired', `${name}@${version} is retired`);
  }
  return current;
}

function withVersion(
  state: DatasetState,
  version: string,
  next: DatasetVersionState,
): DatasetState {
  return { versions: new Map(state.versions).set(version, next) };
}
