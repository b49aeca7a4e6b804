import { DecidedStream } from '../../../../tests/support/decided-stream';
import { statementsToApply } from '../../../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import { streams } from '../../../ledger/stream-names';
import {
  type DatasetCommand,
  type DatasetState,
  type RegisterDatasetVersion,
  datasetDecider,
} from '../../dataset.decider';
import type { DatasetEvent, SchemaField } from '../../dataset.events';
import { DatasetVersionsProjection } from './dataset-versions.projection';

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

const register = (
  version: string,
  overrides: Partial<RegisterDatasetVersion['data']> = {},
  name = 'loans',
): RegisterDatasetVersion => ({
  type: 'RegisterDatasetVersion',
  actor: 'dana',
  now: '2026-03-01T00:00:00.000Z',
  data: {
    name,
    version,
    contentHash: HASH_A,
    rows: 120_000,
    schema: [
      field('income', { type: 'number', personal: true, category: 'financial' }),
      field('health', { personal: true, sensitive: true, category: 'health' }),
      field('term'),
    ],
    location: `s3://lake/loans/${version}.parquet`,
    region: 'ap-southeast-2',
    lawfulBasis: 'consent (application form s.4)',
    collectionNotice: 'https://bank.example/privacy/collection-notice-v3',
    purpose: 'credit assessment',
    retention: 'P1D',
    piaId: 'PIA-2026-014',
    parents: [],
    ...overrides,
  },
});

const validate = (version: string, validationId: string, failing: string[] = [], name = 'loans') =>
  ({
    type: 'RecordDatasetValidation',
    actor: 'ci-pipeline',
    now: '2026-03-02T00:00:00.000Z',
    data: {
      name,
      version,
      validationId,
      suite: 'great-expectations/loans',
      passed: failing.length === 0,
      checks: [
        { name: 'no-null-income', passed: !failing.includes('no-null-income'), detail: null },
        { name: 'term-in-range', passed: !failing.includes('term-in-range'), detail: '0 rows' },
      ],
    },
  }) satisfies DatasetCommand;

const profile = (version: string, profileId: string, mean: number, name = 'loans') =>
  ({
    type: 'RecordDatasetProfile',
    actor: 'ci-pipeline',
    now: '2026-03-03T00:00:00.000Z',
    data: {
      name,
      version,
      profileId,
      features: [
        {
          name: 'income',
          count: 120_000,
          missing: 12,
          mean,
          stddev: 14.5,
          min: 0,
          max: 250,
          histogram: { edges: [0, 100, 250], counts: [90_000, 29_988] },
          categories: null,
        },
        {
          name: 'term',
          count: 120_000,
          missing: 0,
          mean: null,
          stddev: null,
          min: null,
          max: null,
          histogram: null,
          categories: { '36m': 80_000, '60m': 40_000 },
        },
      ],
    },
  }) satisfies DatasetCommand;

const store = (version: string, digest = HASH_A, name = 'loans') =>
  ({
    type: 'StoreDatasetData',
    actor: 'dana',
    now: '2026-03-01T06:00:00.000Z',
    data: {
      name,
      version,
      digest,
      size: 4096,
      rows: 120_000,
      columns: ['income', 'health', 'term'],
      mediaType: 'text/csv',
    },
  }) satisfies DatasetCommand;

const loans = () =>
  new DecidedStream<DatasetCommand, DatasetEvent, DatasetState>(
    datasetDecider,
    streams.dataset('loans'),
  );

describe('dataset-versions projection', () => {
  let spec: ProjectionSpec<DatasetVersionsProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(DatasetVersionsProjection);
  });
  afterAll(() => spec?.close());

  const versions = () =>
    spec.rows<Record<string, unknown>>('SELECT * FROM dataset_versions ORDER BY name, version');

  it('handles the dataset stream’s event types, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'DatasetDataPurged',
      'DatasetDataStored',
      'DatasetProfiled',
      'DatasetValidated',
      'DatasetVersionRegistered',
      'DatasetVersionRetired',
    ]);
  });

  it('registers each version once, with every column, active and its data not stored', async () => {
    const stream = loans();
    const first = stream.one('DatasetVersionRegistered', register('2026-01'));
    const second = stream.one(
      'DatasetVersionRegistered',
      register('2026-02', {
        contentHash: HASH_B,
        schema: [field('term')],
        lawfulBasis: null,
        collectionNotice: null,
        purpose: null,
        retention: null,
        piaId: null,
        parents: [{ name: 'loans', version: '2026-01' }],
      }),
    );
    // A hand-made repeat of the first registration (say, a replayed import) changes nothing.
    const repeat = { ...first, data: { ...first.data, rows: 1 } };
    const recorded = await spec.given([first, second, repeat]);
    const rows = await versions();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      name: 'loans',
      version: '2026-01',
      content_hash: HASH_A,
      rows: expect.anything(),
      schema: first.data.schema,
      location: 's3://lake/loans/2026-01.parquet',
      region: 'ap-southeast-2',
      contains_personal: true,
      contains_sensitive: true,
      lawful_basis: 'consent (application form s.4)',
      collection_notice: 'https://bank.example/privacy/collection-notice-v3',
      purpose: 'credit assessment',
      retention: 'P1D',
      pia_id: 'PIA-2026-014',
      parents: [],
      status: 'active',
      retired_reason: null,
      validations: [],
      latest_profile: null,
      registered_by: 'dana',
      registered_at: new Date('2026-03-01T00:00:00.000Z'),
      event_id: recorded[0].id,
      data: { status: 'not-stored', digest: HASH_A },
    });
    expect(Number(rows[0].rows)).toBe(120_000);
    expect(rows[1]).toMatchObject({
      version: '2026-02',
      contains_personal: false,
      contains_sensitive: false,
      lawful_basis: null,
      retention: null,
      parents: [{ name: 'loans', version: '2026-01' }],
      event_id: recorded[1].id,
      data: { status: 'not-stored', digest: HASH_B },
    });
  });

  it('appends validations in ledger order with their failed checks, each validation once', async () => {
    const stream = loans();
    const registered = stream.one('DatasetVersionRegistered', register('2026-01'));
    const passed = stream.one('DatasetValidated', validate('2026-01', 'v-1'));
    const failed = stream.one('DatasetValidated', validate('2026-01', 'v-2', ['term-in-range']));
    const v3 = stream.one('DatasetValidated', validate('2026-01', 'v-3'));
    const elsewhere = { ...v3, data: { ...v3.data, version: '1999-01' } }; // never registered
    // The same validation recorded again (one run, then a later page) is kept once.
    await spec.given([registered, passed, failed, passed, elsewhere]);
    await spec.given([failed], { keep: true });
    const [row] = await versions();
    expect(row.validations).toEqual([
      {
        validationId: 'v-1',
        suite: 'great-expectations/loans',
        passed: true,
        failedChecks: [],
        validatedBy: 'ci-pipeline',
        validatedAt: '2026-03-02T00:00:00.000Z',
      },
      {
        validationId: 'v-2',
        suite: 'great-expectations/loans',
        passed: false,
        failedChecks: ['term-in-range'],
        validatedBy: 'ci-pipeline',
        validatedAt: '2026-03-02T00:00:00.000Z',
      },
    ]);
    expect(await versions()).toHaveLength(1);
  });

  it('keeps the latest profile of each version, even two in one run', async () => {
    const stream = loans();
    const events = [
      ...stream.when(register('2026-01')),
      ...stream.when(register('2026-02', { contentHash: HASH_B })),
      stream.one('DatasetProfiled', profile('2026-01', 'p-1', 41)),
      stream.one('DatasetProfiled', profile('2026-02', 'p-2', 42)),
    ];
    const latest = stream.one('DatasetProfiled', profile('2026-01', 'p-3', 43));
    await spec.given([...events, latest]);
    const [january, february] = await versions();
    expect(january.latest_profile).toEqual({
      profileId: 'p-3',
      features: latest.data.features,
      profiledAt: latest.data.profiledAt,
    });
    expect(february.latest_profile).toMatchObject({ profileId: 'p-2' });
  });

  it('retires a version with its reason, leaving the others active', async () => {
    const stream = loans();
    await spec.given([
      ...stream.when(register('2026-01')),
      ...stream.when(register('2026-02', { contentHash: HASH_B })),
      stream.one('DatasetVersionRetired', {
        type: 'RetireDatasetVersion',
        actor: 'dana',
        now: '2026-04-01T00:00:00.000Z',
        data: { name: 'loans', version: '2026-01', reason: 'consent withdrawn' },
      }),
    ]);
    const [january, february] = await versions();
    expect(january).toMatchObject({ status: 'retired', retired_reason: 'consent withdrawn' });
    expect(february).toMatchObject({ status: 'active', retired_reason: null });
  });

  it('shows the data stored, then purged keeping its size and when it was stored', async () => {
    const stream = loans();
    const registered = stream.one('DatasetVersionRegistered', register('2026-01'));
    const stored = stream.one('DatasetDataStored', store('2026-01'));
    await spec.given([registered, stored]);
    expect((await versions())[0].data).toEqual({
      status: 'stored',
      digest: HASH_A,
      size: 4096,
      storedAt: '2026-03-01T06:00:00.000Z',
    });
    const purged = stream.one('DatasetDataPurged', {
      type: 'PurgeDatasetData',
      actor: 'retention-sweep',
      now: '2026-03-05T00:00:00.000Z',
      data: { name: 'loans', version: '2026-01' },
    });
    await spec.given([registered, stored, purged]);
    expect((await versions())[0].data).toEqual({
      status: 'purged',
      digest: HASH_A,
      size: 4096,
      storedAt: '2026-03-01T06:00:00.000Z',
      purgedAt: '2026-03-05T00:00:00.000Z',
    });
  });

  it('writes a run of registrations, or of changes to distinct versions, in one statement', async () => {
    const stream = loans();
    const versionsOf = Array.from(
      { length: 20 },
      (_, index) => `2025-${String(index + 1).padStart(2, '0')}`,
    );
    const registered = spec.record(versionsOf.flatMap((version) => stream.when(register(version))));
    const validated = spec.record(
      versionsOf.flatMap((version) => stream.when(validate(version, `v-${version}`))),
    );
    await spec.truncate();
    expect(await statementsToApply(spec, registered, null)).toBe(1);
    await spec.apply(registered);
    expect(await statementsToApply(spec, validated, null)).toBe(1);
  });

  it('builds the same rows rebuilt in one page as applied live or in uneven pages', async () => {
    const loansStream = loans();
    const bureau = new DecidedStream<DatasetCommand, DatasetEvent, DatasetState>(
      datasetDecider,
      streams.dataset('bureau'),
    );
    await spec.expectRebuildEqualsLive([
      ...loansStream.when(register('2026-01')),
      ...bureau.when(register('2026-01', {}, 'bureau')),
      ...loansStream.when(register('2026-02', { contentHash: HASH_B })),
      ...loansStream.when(validate('2026-01', 'v-1')),
      ...bureau.when(validate('2026-01', 'v-1', ['no-null-income'], 'bureau')),
      ...loansStream.when(validate('2026-01', 'v-2', ['term-in-range'])),
      ...loansStream.when(validate('2026-02', 'v-3')),
      ...loansStream.when(profile('2026-01', 'p-1', 41)),
      ...loansStream.when(profile('2026-01', 'p-2', 42)),
      ...bureau.when(profile('2026-01', 'p-3', 43, 'bureau')),
      ...loansStream.when(store('2026-01')),
      ...bureau.when(store('2026-01', HASH_A, 'bureau')),
      ...loansStream.when(store('2026-02', HASH_B)),
      ...loansStream.when({
        type: 'PurgeDatasetData',
        actor: 'retention-sweep',
        now: '2026-03-05T00:00:00.000Z',
        data: { name: 'loans', version: '2026-01' },
      }),
      ...loansStream.when({
        type: 'RetireDatasetVersion',
        actor: 'dana',
        now: '2026-04-01T00:00:00.000Z',
        data: { name: 'loans', version: '2026-02', reason: 'superseded' },
      }),
    ]);
  });
});
