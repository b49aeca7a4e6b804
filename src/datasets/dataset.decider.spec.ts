import { given } from '../../tests/support/decider-spec';
import { RegisterDatasetVersion, datasetDecider, retentionExpiry } from './dataset.decider';
import type { DatasetVersionRegistered, SchemaField } from './dataset.events';

const NOW = '2026-03-01T00:00:00.000Z';
const HASH_A = `sha256:${'a'.repeat(64)}`;
const HASH_B = `sha256:${'b'.repeat(64)}`;

const field = (name: string, flags: Partial<SchemaField> = {}): SchemaField => ({
  name,
  type: 'string',
  personal: false,
  sensitive: false,
  category: null,
  protectedAttribute: false,
  ...flags,
});

function registration(
  overrides: Partial<RegisterDatasetVersion['data']> = {},
): RegisterDatasetVersion {
  return {
    type: 'RegisterDatasetVersion',
    actor: 'dana',
    now: NOW,
    data: {
      name: 'loan-applications',
      version: '2026-02',
      contentHash: HASH_A,
      rows: 120_000,
      schema: [
        field('income', { type: 'number', personal: true, category: 'financial' }),
        field('term'),
      ],
      location: 's3://lake/loans/2026-02.parquet',
      region: 'ap-southeast-2',
      lawfulBasis: 'consent (application form s.4)',
      collectionNotice: 'https://bank.example/privacy/collection-notice-v3',
      purpose: 'credit assessment',
      retention: 'P7Y',
      piaId: 'PIA-2026-014',
      parents: [],
      ...overrides,
    },
  };
}

function refusalOf(decide: () => unknown): Error & { details: Record<string, unknown> } {
  try {
    decide();
  } catch (error) {
    return error as Error & { details: Record<string, unknown> };
  }
  throw new Error('the command was not refused');
}

function registered(command = registration()): DatasetVersionRegistered {
  return {
    type: 'DatasetVersionRegistered',
    data: {
      ...command.data,
      containsPersonalInformation: command.data.schema.some((f) => f.personal),
      containsSensitiveInformation: command.data.schema.some((f) => f.sensitive),
      registeredBy: command.actor,
      registeredAt: command.now,
    },
  };
}

describe('dataset decider', () => {
  describe('registering a version', () => {
    it('records it with the personal and sensitive summary derived from the schema', () => {
      given(datasetDecider).when(registration()).then([registered()]);
    });

    it('is an idempotent success when the same version and content are registered again', () => {
      given(datasetDecider, [registered()]).when(registration()).then([]);
    });

    it('refuses the same version with different content: versions are immutable', () => {
      given(datasetDecider, [registered()])
        .when(registration({ contentHash: HASH_B }))
        .thenRefuses('dataset-version-immutable', 409);
    });

    it('refuses the same version and content with other facts, naming each with both values', () => {
      const state = given(datasetDecider, [registered()]).state;
      const changed = registration({
        region: 'us-east-1',
        retention: 'P10Y',
        schema: [
          field('income', { type: 'number', personal: false, category: null }),
          field('term'),
        ],
      });
      const refusal = refusalOf(() => datasetDecider.decide(changed, state));
      expect(refusal).toMatchObject({
        code: 'dataset-version-immutable',
        status: 409,
        details: {
          differences: [
            { field: 'region', registered: 'ap-southeast-2', given: 'us-east-1' },
            { field: 'retention', registered: 'P7Y', given: 'P10Y' },
            { field: 'schema.0.category', registered: 'financial', given: null },
            { field: 'schema.0.personal', registered: true, given: false },
          ],
          errors: {
            region: ['registered "ap-southeast-2", given "us-east-1"'],
            retention: ['registered "P7Y", given "P10Y"'],
            'schema.0.category': ['registered "financial", given null'],
            'schema.0.personal': ['registered true, given false'],
          },
        },
      });
      expect(refusal.message).toContain('same content but other facts');
      expect(Object.keys(refusal.details.errors as object)).not.toContain('contentHash');
    });

    it('names a schema field or parent only one registration has', () => {
      const state = given(datasetDecider, [registered()]).state;
      const more = registration({
        schema: [...registration().data.schema, field('postcode')],
        parents: [{ name: 'bureau', version: '1' }],
      });
      const refusal = refusalOf(() => datasetDecider.decide(more, state));
      expect(refusal.details.errors).toEqual({
        'parents.0': ['registered null, given {"name":"bureau","version":"1"}'],
        'schema.2': [
          'registered null, given {"name":"postcode","type":"string","personal":false,"sensitive":false,"category":null,"protectedAttribute":false}',
        ],
      });
    });

    it('names the content hash, and any other fact, when the content differs too', () => {
      const state = given(datasetDecider, [registered()]).state;
      const refusal = refusalOf(() =>
        datasetDecider.decide(registration({ contentHash: HASH_B, rows: 7 }), state),
      );
      expect(refusal.details).toMatchObject({
        recordedContentHash: HASH_A,
        errors: {
          contentHash: [`registered "${HASH_A}", given "${HASH_B}"`],
          rows: ['registered 120000, given 7'],
        },
      });
    });

    it('accepts a new version with new content', () => {
      const next = registration({ version: '2026-03', contentHash: HASH_B });
      given(datasetDecider, [registered()])
        .when(next)
        .then([registered(next)]);
    });

    it('refuses a content hash that is not sha256:<64 hex>', () => {
      given(datasetDecider)
        .when(registration({ contentHash: 'md5:abc' }))
        .thenRefuses('invalid-content-hash', 422);
      given(datasetDecider)
        .when(registration({ contentHash: `sha256:${'A'.repeat(64)}` }))
        .thenRefuses('invalid-content-hash');
    });

    it.each(['lawfulBasis', 'collectionNotice', 'retention'] as const)(
      'refuses personal information without %s',
      (missing) => {
        given(datasetDecider)
          .when(registration({ [missing]: null }))
          .thenRefuses('personal-information-unaccounted', 422);
      },
    );

    it('needs no lawful basis when no field is personal', () => {
      const plain = registration({
        schema: [field('term')],
        lawfulBasis: null,
        collectionNotice: null,
        retention: null,
      });
      const [event] = given(datasetDecider)
        .when(plain)
        .then([registered(plain)]);
      expect(event.data).toMatchObject({ containsPersonalInformation: false });
    });

    it('refuses a sensitive field not flagged personal, and a personal field with no kind', () => {
      given(datasetDecider)
        .when(registration({ schema: [field('health', { sensitive: true })] }))
        .thenRefuses('invalid-schema');
      given(datasetDecider)
        .when(registration({ schema: [field('email', { personal: true })] }))
        .thenRefuses('invalid-schema');
    });

    it('records the region the data is held in', () => {
      const [event] = given(datasetDecider)
        .when(registration({ region: 'AU' }))
        .events();
      expect(event.data).toMatchObject({ region: 'AU', containsSensitiveInformation: false });
    });
  });

  describe('validations, profiles and retirement', () => {
    const validation = (validationId: string) => ({
      type: 'RecordDatasetValidation' as const,
      actor: 'pipeline-ci',
      now: NOW,
      data: {
        name: 'loan-applications',
        version: '2026-02',
        validationId,
        suite: 'great-expectations',
        passed: true,
        checks: [],
      },
    });

    it('records a validation once per validation id', () => {
      const [event] = given(datasetDecider, [registered()]).when(validation('v1')).events();
      expect(event).toMatchObject({
        type: 'DatasetValidated',
        data: { validatedBy: 'pipeline-ci' },
      });
      given(datasetDecider, [registered(), event]).when(validation('v1')).then([]);
    });

    it('refuses a validation of a version never registered', () => {
      given(datasetDecider).when(validation('v1')).thenRefuses('not-found', 404);
    });

    it('refuses a profile whose histogram has the wrong shape', () => {
      given(datasetDecider, [registered()])
        .when({
          type: 'RecordDatasetProfile',
          actor: 'pipeline-ci',
          now: NOW,
          data: {
            name: 'loan-applications',
            version: '2026-02',
            profileId: 'p1',
            features: [
              {
                name: 'income',
                count: 10,
                missing: 0,
                mean: 1,
                stddev: 1,
                min: 0,
                max: 2,
                histogram: { edges: [0, 1], counts: [5, 5] },
                categories: null,
              },
            ],
          },
        })
        .thenRefuses('histogram-shape', 422);
    });

    it('retires a version once, and refuses new validations of it', () => {
      const retire = {
        type: 'RetireDatasetVersion' as const,
        actor: 'dana',
        now: NOW,
        data: { name: 'loan-applications', version: '2026-02', reason: 'superseded' },
      };
      const [retired] = given(datasetDecider, [registered()]).when(retire).events();
      expect(retired.type).toBe('DatasetVersionRetired');
      given(datasetDecider, [registered(), retired]).when(retire).then([]);
      given(datasetDecider, [registered(), retired])
        .when(validation('v2'))
        .thenRefuses('dataset-version-retired', 409);
    });
  });

  describe('storing the data file', () => {
    const store = (digest = HASH_A) => ({
      type: 'StoreDatasetData' as const,
      actor: 'pipeline-ci',
      now: NOW,
      data: {
        name: 'loan-applications',
        version: '2026-02',
        digest,
        size: 2048,
        rows: 120_000,
        columns: ['term', 'income'],
        mediaType: 'text/csv' as const,
      },
    });

    it('records it once: the same file again appends nothing', () => {
      const [event] = given(datasetDecider, [registered()]).when(store()).events();
      expect(event).toEqual({
        type: 'DatasetDataStored',
        data: { ...store().data, storedBy: 'pipeline-ci', storedAt: NOW },
      });
      given(datasetDecider, [registered(), event]).when(store()).then([]);
    });

    it('refuses another digest than the contentHash, naming both, and an unknown version', () => {
      const refusal = refusalOf(() =>
        datasetDecider.decide(
          store(HASH_B),
          datasetDecider.evolve(datasetDecider.initialState(), registered()),
        ),
      );
      expect(refusal.message).toContain(HASH_A);
      expect(refusal.message).toContain(HASH_B);
      given(datasetDecider, [registered()])
        .when(store(HASH_B))
        .thenRefuses('dataset-digest-mismatch', 422);
      given(datasetDecider).when(store()).thenRefuses('not-found', 404);
    });
  });

  describe('purging the data file when its retention has passed', () => {
    const purge = (now: string) => ({
      type: 'PurgeDatasetData' as const,
      actor: 'attest:retention-sweep',
      now,
      data: { name: 'loan-applications', version: '2026-02' },
    });
    const stored = {
      type: 'DatasetDataStored' as const,
      data: {
        name: 'loan-applications',
        version: '2026-02',
        digest: HASH_A,
        size: 1,
        rows: 120_000,
        columns: ['income', 'term'],
        mediaType: 'text/csv' as const,
        storedBy: 'dana',
        storedAt: NOW,
      },
    };

    it('adds the retention on the calendar, clamping to the end of a month', () => {
      expect(retentionExpiry('2026-03-01T00:00:00.000Z', 'P7Y')).toBe('2033-03-01T00:00:00.000Z');
      expect(retentionExpiry('2026-01-31T10:00:00.000Z', 'P1M')).toBe('2026-02-28T10:00:00.000Z');
      expect(retentionExpiry('2026-12-31T00:00:00.000Z', 'P2M1W')).toBe('2027-03-07T00:00:00.000Z');
      expect(retentionExpiry('2026-01-01T00:00:00.000Z', null)).toBeNull();
    });

    it('records it once after the retention, refuses it before, and then refuses the data again', () => {
      given(datasetDecider, [registered(), stored])
        .when(purge('2033-02-28T23:59:59.999Z'))
        .thenRefuses('dataset-retention-not-passed', 422);
      const [purged] = given(datasetDecider, [registered(), stored])
        .when(purge('2033-03-01T00:00:00.000Z'))
        .events();
      expect(purged).toEqual({
        type: 'DatasetDataPurged',
        data: {
          name: 'loan-applications',
          version: '2026-02',
          digest: HASH_A,
          retention: 'P7Y',
          expiredAt: '2033-03-01T00:00:00.000Z',
          purgedBy: 'attest:retention-sweep',
          purgedAt: '2033-03-01T00:00:00.000Z',
        },
      });
      given(datasetDecider, [registered(), stored, purged])
        .when(purge('2034-01-01T00:00:00.000Z'))
        .then([]);
      given(datasetDecider, [registered()]).when(purge('2034-01-01T00:00:00.000Z')).then([]);
      given(datasetDecider, [registered(), stored, purged])
        .when({ type: 'StoreDatasetData', actor: 'dana', now: NOW, data: stored.data })
        .thenRefuses('dataset-data-purged', 409);
    });
  });

  describe('versions named like Object.prototype members', () => {
    it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'])(
      'registers %s as a new version, once, and retires it',
      (version) => {
        const command = registration({ version });
        given(datasetDecider)
          .when(command)
          .then([registered(command)]);
        given(datasetDecider, [registered(command)])
          .when(command)
          .then([]);
        const retire = {
          type: 'RetireDatasetVersion' as const,
          actor: 'dana',
          now: NOW,
          data: { name: 'loan-applications', version, reason: 'superseded' },
        };
        given(datasetDecider).when(retire).thenRefuses('not-found', 404);
        expect(
          given(datasetDecider, [registered(command)])
            .when(retire)
            .events(),
        ).toHaveLength(1);
      },
    );
  });
});
