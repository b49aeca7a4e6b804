import type { DatasetState } from '../../datasets/dataset.decider';
import type { ModelState } from '../../model-registry/model.decider';
import type { ModelArtifactStored } from '../../model-registry/model.events';
import { DEFAULT_EVALUATION_POLICY } from '../evaluation-policy';
import { type EvaluationFacts, type EvaluationRequest, planEvaluation } from './evaluation-plan';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

const artifact = (c: string, inputs: string[] = ['features']): ModelArtifactStored['data'] =>
  ({
    digest: digest(c),
    inputs: inputs.map((name) => ({
      name,
      kind: 'tensor',
      elementType: 'float32',
      shape: ['N', 4],
    })),
    outputs: [{ name: 'probability', kind: 'tensor', elementType: 'float32', shape: ['N', 1] }],
    scoreOutput: 'probability',
    onnxruntimeVersion: '1.20.0',
  }) as ModelArtifactStored['data'];

const version = (stored: ModelArtifactStored['data'] | undefined) => ({
  registration: { riskTier: 'medium' },
  retired: false,
  evaluations: [],
  artifact: stored,
});

const model = {
  versions: new Map([
    ['1.0.0', version(artifact('a'))],
    ['2.0.0', version(artifact('b'))],
    ['3.0.0', version(undefined)],
  ]),
} as unknown as ModelState;

const schema = ['income', 'debt_ratio', 'age', 'history', 'sex', 'default', 'features'].map(
  (name) => ({
    name,
    type: name === 'sex' ? 'string' : 'number',
    personal: true,
    sensitive: false,
    category: null,
    protectedAttribute: name === 'sex',
  }),
);
const dataset = {
  versions: new Map([
    [
      'v1',
      {
        contentHash: digest('d'),
        registration: { schema },
        data: { rows: 500 },
        dataPurged: false,
      },
    ],
  ]),
} as unknown as DatasetState;

const facts = (changes: Partial<EvaluationFacts> = {}): EvaluationFacts => ({
  model,
  dataset,
  serving: null,
  policy: { tiers: DEFAULT_EVALUATION_POLICY, version: 0 },
  storedPath: (stored) => Promise.resolve(`/store/${stored.slice(7, 11)}`),
  ...changes,
});

const request = (changes: Partial<EvaluationRequest> = {}): EvaluationRequest => ({
  model: 'credit-risk',
  version: '2.0.0',
  dataset: { name: 'holdout', version: 'v1' },
  labelColumn: 'default',
  positiveLabel: '1',
  ...changes,
});

describe('planning an evaluation run', () => {
  it('resolves the defaults: production, threshold 0.5, the schema’s protected attributes, same-named columns', async () => {
    const plan = await planEvaluation(request(), facts());
    expect(plan.settings).toEqual({
      environment: 'production',
      dataset: { name: 'holdout', version: 'v1' },
      labelColumn: 'default',
      positiveLabel: '1',
      threshold: 0.5,
      protectedAttributes: ['sex'],
      columns: { features: 'features' },
      pipelineScoreColumn: null,
      champion: null,
      scoreOutput: 'probability',
    });
    expect(plan.job).toMatchObject({
      candidate: { artifactPath: '/store/bbbb', scoreOutput: 'probability' },
      champion: null,
      dataset: { path: '/store/dddd', rows: 500 },
      minGroupSize: DEFAULT_EVALUATION_POLICY.medium.minGroupSize,
      minCategoryCount: 10,
    });
  });

  it('takes the serving version as the champion, unless it is the candidate or the caller says null', async () => {
    const served = await planEvaluation(request(), facts({ serving: '1.0.0' }));
    expect(served.settings.champion).toBe('1.0.0');
    expect(served.inputs.championArtifactDigest).toBe(digest('a'));
    expect(served.job.champion).toMatchObject({ artifactPath: '/store/aaaa' });
    expect((await planEvaluation(request(), facts({ serving: '2.0.0' }))).settings.champion).toBe(
      null,
    );
    const none = await planEvaluation(request({ champion: null }), facts({ serving: '1.0.0' }));
    expect(none.job.champion).toBeNull();
  });

  it('gives one digest to one evaluation, and another when a setting or the policy version differs', async () => {
    const one = (await planEvaluation(request(), facts())).digest;
    expect((await planEvaluation(request({ threshold: 0.5 }), facts())).digest).toBe(one);
    expect((await planEvaluation(request({ threshold: 0.4 }), facts())).digest).not.toBe(one);
    const policy = { tiers: DEFAULT_EVALUATION_POLICY, version: 3 };
    expect((await planEvaluation(request(), facts({ policy }))).digest).not.toBe(one);
  });

  it('refuses a serving champion without a stored artifact, naming champion', async () => {
    await expect(planEvaluation(request(), facts({ serving: '3.0.0' }))).rejects.toMatchObject({
      code: 'champion-artifact-not-stored',
      details: { errors: { champion: [expect.stringMatching(/champion: null/)] } },
    });
  });

  it('refuses a retired version (409) and one without a stored artifact (422), naming version', async () => {
    const retired = {
      versions: new Map([['2.0.0', { ...version(artifact('b')), retired: true }]]),
    } as unknown as ModelState;
    await expect(planEvaluation(request(), facts({ model: retired }))).rejects.toMatchObject({
      code: 'model-version-retired',
      status: 409,
      details: { errors: { version: [expect.any(String)] } },
    });
    await expect(planEvaluation(request({ version: '3.0.0' }), facts())).rejects.toMatchObject({
      code: 'artifact-not-stored',
      status: 422,
      details: { errors: { version: [expect.any(String)] } },
    });
  });

  it('names every misfit of the request at once', async () => {
    await expect(
      planEvaluation(
        request({
          labelColumn: 'label',
          protectedAttributes: ['sex', 'sex'],
          columns: { features: ['income', 'salary'], extra: 'age' },
        }),
        facts(),
      ),
    ).rejects.toMatchObject({
      code: 'invalid-evaluation-run',
      details: {
        errors: {
          labelColumn: [expect.any(String)],
          'protectedAttributes[1]': ['sex is listed twice'],
          'columns.features': [expect.stringMatching(/salary/)],
          'columns.extra': [expect.any(String)],
        },
      },
    });
  });
});
