import { GovernanceClient } from '../support/governance-client';
import { seedSampleHistory } from '../support/sample-history';
import { TestApp, startTestApp } from '../support/test-app';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const DATASET = {
  contentHash: digest('1'),
  rows: 10,
  schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
  location: 's3://lake/x',
  region: 'AU',
};

/** Bodies that once got 500 or stalled a projection (README: Request bodies), each answered with a 4xx naming the field. */
describe('request bodies the read models could not hold are refused, naming the field', () => {
  let test: TestApp;
  let client: GovernanceClient;
  let runId: string;

  beforeAll(async () => {
    test = await startTestApp();
    ({ runId } = await seedSampleHistory(test));
    client = new GovernanceClient(test);
    await client.signIn([
      ['ci', ['pipeline']],
      ['dana', ['data-scientist']],
    ]);
  });

  afterAll(async () => {
    await test.close();
  });

  /** A refused write: its status and `errors`, with the ledger's event count unchanged. */
  async function refused(path: string, body: string | object, method: 'post' | 'patch' = 'post') {
    const before = await test.countEvents();
    const call = test.anonymous();
    const response = await call[method](`/api/v1${path}`)
      .set('Authorization', client.bearer('ci'))
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
    expect(await test.countEvents()).toBe(before);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    return { status: response.status, errors: Object.keys(response.body.errors ?? {}) };
  }

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'registers dataset version %s (201), reads it, and refuses other content for it (409)',
    async (version) => {
      await client.send('ci', '/datasets/protos/versions', { ...DATASET, version });
      const read = await client.read<{ version: string; rows: number }>(
        'ci',
        `/datasets/protos/versions/${version}`,
      );
      expect(read).toMatchObject({ version, rows: 10 });
      await client.send(
        'ci',
        '/datasets/protos/versions',
        { ...DATASET, version, contentHash: digest('2') },
        { status: 409 },
      );
    },
  );

  it('registers model version constructor, updates its card and reads it', async () => {
    await client.send('dana', '/models/scorer/versions', {
      version: 'constructor',
      runId,
      riskTier: 'low',
      decisionClass: 'advisory',
      personalInformationKinds: [],
      decisions: 'none',
      intendedUse: 'test',
      limitations: [],
      owner: 'owner',
    });
    await client.send(
      'dana',
      '/models/scorer/versions/constructor/card',
      { owner: 'olive' },
      { method: 'patch', status: 200 },
    );
    const read = await client.read<{ version: string; card: { owner: string } }>(
      'dana',
      '/models/scorer/versions/constructor',
    );
    expect(read).toMatchObject({ version: 'constructor', card: { owner: 'olive' } });
  });

  it.each([
    ['2^63', '9223372036854775808'],
    ['2^64', '18446744073709551616'],
    ['1e308', '1e308'],
    ['-1', '-1'],
    ['1.5', '1.5'],
  ])('refuses rows of %s on a dataset version (400 rows)', async (_, rows) => {
    const text = JSON.stringify({ ...DATASET, version: 'big', rows: 0 }).replace(
      '"rows":0',
      `"rows":${rows}`,
    );
    expect(await refused('/datasets/big/versions', text)).toEqual({
      status: 400,
      errors: ['rows'],
    });
  });

  it('refuses null for a model card field (400 intendedUse) instead of storing it', async () => {
    expect(
      await refused('/models/scorer/versions/1.0.0/card', { intendedUse: null }, 'patch'),
    ).toEqual({ status: 400, errors: ['intendedUse'] });
  });

  it('refuses a body nested 2,000 levels deep with 400 naming the body, before validation', async () => {
    const deep = '{"a":'.repeat(2000) + '1' + '}'.repeat(2000);
    const text = `{"model":"scorer","hyperparameters":${deep}}`;
    expect(await refused('/training-runs', text)).toEqual({ status: 400, errors: ['body'] });
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['an array', [{ repository: 'git@x:y.git', commit: 'abcdef1' }]],
    ['a string', 'git@x:y.git'],
  ])('refuses a training run whose code is %s (400 code)', async (_, code) => {
    const body = {
      model: 'scorer',
      datasetVersions: [{ name: 'loans', version: 'v1' }],
      code,
      algorithm: 'glm',
      hyperparameters: {},
    };
    expect(await refused('/training-runs', body)).toEqual({ status: 400, errors: ['code'] });
  });

  it.each([
    ['9999-12-31T23:59:59-14:00', 'window.to'],
    ['0001-01-01T00:00:00+14:00', 'window.from'],
  ])(
    'refuses a prediction window ending at %s, past what a timestamptz holds in UTC',
    async (instant, field) => {
      const window =
        field === 'window.to'
          ? { from: '2026-11-03T00:00:00Z', to: instant }
          : { from: instant, to: '2026-11-03T00:00:00Z' };
      const body = {
        version: '1.0.0',
        count: 1,
        window,
        inputDigest: digest('5'),
        outputDistribution: { approve: 1 },
        featureSummaries: [],
        latencyMs: { p50: 1, p95: 2, p99: 3 },
        decisions: { automated: 1, referred: 0 },
      };
      expect(await refused('/deployments/scorer.staging/prediction-batches', body)).toEqual({
        status: 400,
        errors: [field],
      });
    },
  );

  it('refuses NUL and unpaired surrogates in any string, naming the field', async () => {
    for (const text of ['a\u0000b', '\ud800']) {
      const body = { ...DATASET, version: 'v9', location: text };
      expect(await refused('/datasets/loans/versions', body)).toEqual({
        status: 400,
        errors: ['location'],
      });
    }
  });

  it.each([
    ['categories as text', { categories: 'many' }, 'features.0.categories'],
    ['categories of text', { categories: { a: 'x' } }, 'features.0.categories'],
    ['categories of arrays', { categories: { a: [1] } }, 'features.0.categories'],
    ['a negative category count', { categories: { a: -1 } }, 'features.0.categories'],
    ['a negative stddev', { stddev: -1 }, 'features.0.stddev'],
    ['a count of 1e308', { count: 1e308 }, 'features.0.count'],
    ['a mean of 1e308', { mean: 1e308 }, 'features.0.mean'],
    ['a histogram as an array', { histogram: [] }, 'features.0.histogram'],
    [
      'a histogram count of 2^63',
      { histogram: { edges: [0, 1], counts: [2 ** 63] } },
      'features.0.histogram.counts',
    ],
  ])('refuses a profile with %s (400 naming it)', async (_, change, field) => {
    const feature = { name: 'income', count: 10, missing: 0, ...change };
    expect(await refused('/datasets/loans/versions/v1/profile', { features: [feature] })).toEqual({
      status: 400,
      errors: [field],
    });
  });
});
