import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { ModelVersionApproved } from '../../src/approvals/approval.events';
import { streams } from '../../src/ledger/stream-names';
import { TestApp, startTestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;
const LOANS_HASH = `sha256:${'ab'.repeat(32)}`;
const HOLDOUT_HASH = `sha256:${'cd'.repeat(32)}`;
const ARTIFACT = `sha256:${'5e'.repeat(32)}`;
const OTHER_ARTIFACT = `sha256:${'6f'.repeat(32)}`;

const dataset = (version: string, contentHash: string) => ({
  version,
  contentHash,
  rows: 1000,
  schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
  location: `s3://lake/${version}.parquet`,
  region: 'ap-southeast-2',
});

const runBody = (model = 'credit-risk') => ({
  model,
  datasetVersions: [{ name: 'loans', version: '2026-02' }],
  code: { repository: 'https://git.bank.example/ml/credit-risk', commit: '3f9c2e1' },
  algorithm: 'xgboost',
  hyperparameters: { maxDepth: 6 },
});

const completion = (digest = ARTIFACT) => ({
  metrics: { auc: 0.81 },
  validationApproach: 'out-of-time holdout 2025-Q4',
  artifact: { uri: 's3://models/credit-risk/model.onnx', digest, format: 'onnx' },
});

const registration = (runId: string, overrides: Record<string, unknown> = {}) => ({
  version: '1.0.0',
  runId,
  riskTier: 'high',
  decisionClass: 'substantially-assists',
  personalInformationKinds: ['financial'],
  decisions: 'approve or refer a consumer credit application',
  intendedUse: 'consumer credit applications up to $50k',
  limitations: ['not validated for business lending'],
  owner: 'head-of-credit-risk',
  ...overrides,
});

/** Age bands as people label them: the registry stores and shows each label as sent. */
const BAND_GROUPS = {
  '<25': 0.3,
  '18–24': 0.29,
  '25-34': 0.33,
  'under 25': 0.31,
  '>=65': 0.32,
  '65+': 0.32,
};

const evaluation = (overrides: Record<string, unknown> = {}) => ({
  datasetVersion: { name: 'holdout', version: '2026-Q1' },
  metrics: { auc: 0.8, ks: 0.41 },
  baseline: { metrics: { auc: 0.76 } },
  fairness: [
    {
      attribute: 'age-band',
      metric: 'demographic-parity-ratio',
      value: 0.91,
      threshold: 0.8,
      groups: BAND_GROUPS,
      passed: true,
    },
  ],
  verdict: 'pass',
  ...overrides,
});

type Response = { status: number; body: Record<string, unknown>; headers: Record<string, string> };

describe('model registry over HTTP', () => {
  let test: TestApp;
  let pipeline: string;
  let scientist: string;
  let regulator: string;
  let completedRun: string;
  let runningRun: string;
  let otherModelRun: string;
  /** The newest position any write answered: the ledger is counted once it is readable. */
  let last: string | undefined;

  const track = (position: string | undefined) => {
    if (position && (!last || test.eventLog.comparePositions(position, last) > 0)) last = position;
  };
  const ledgerSize = () => test.countEvents();
  const send = async (
    method: 'post' | 'patch',
    path: string,
    token: string,
    body: object,
  ): Promise<Response> => {
    const agent = test.anonymous();
    const request =
      method === 'post' ? agent.post(`/api/v1${path}`) : agent.patch(`/api/v1${path}`);
    const response = await request.set('Authorization', token).send(body);
    track((response.body as { ledgerPosition?: string }).ledgerPosition);
    return response as unknown as Response;
  };
  const write = async (
    path: string,
    token: string,
    body: object,
    status = 201,
    method: 'post' | 'patch' = 'post',
  ) => {
    const response = await send(method, path, token, body);
    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    return response.body as { id: string; ledgerPosition: string; eventIds: string[] };
  };
  const read = (path: string) =>
    test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', regulator)
      .set('X-Ledger-Position', last as string);

  /** Sends a request that must be refused, and checks the ledger did not grow. */
  async function refused(request: () => Promise<Response>, status: number, code?: string) {
    const before = await ledgerSize();
    const response = await request();
    expect({ status: response.status, body: response.body }).toMatchObject({
      status,
      ...(code ? { body: { code } } : {}),
    });
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(await ledgerSize()).toBe(before);
    return response.body;
  }

  async function startRun(model = 'credit-risk', complete: string | null = ARTIFACT) {
    const { id } = await write('/training-runs', scientist, runBody(model));
    if (complete) await write(`/training-runs/${id}/completion`, pipeline, completion(complete));
    return id;
  }

  beforeAll(async () => {
    test = await startTestApp();
    pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
    scientist = `Bearer ${await test.token('tess', ['data-scientist'])}`;
    regulator = `Bearer ${await test.token('asic-reviewer', ['regulator'])}`;
    await write('/datasets/loans/versions', pipeline, dataset('2026-02', LOANS_HASH));
    await write('/datasets/holdout/versions', pipeline, dataset('2026-Q1', HOLDOUT_HASH));
    completedRun = await startRun();
    runningRun = await startRun('credit-risk', null);
    otherModelRun = await startRun('fraud-screen');
  });
  afterAll(() => test.close());

  describe('registering versions', () => {
    it('registers a version from a completed run, taking its author, datasets and artifact', async () => {
      const dana = `Bearer ${await test.token('dana', ['data-scientist'])}`;
      const result = await write('/models/credit-risk/versions', dana, registration(completedRun));
      expect(result).toMatchObject({ id: 'credit-risk@1.0.0', eventIds: [expect.any(String)] });
      const [event] = await test.eventLog.readStream(streams.model('credit-risk'));
      expect(event).toMatchObject({
        type: 'ModelVersionRegistered',
        data: {
          model: 'credit-risk',
          version: '1.0.0',
          runId: completedRun,
          trainedBy: 'tess',
          datasetVersions: [{ name: 'loans', version: '2026-02', contentHash: LOANS_HASH }],
          artifactDigest: ARTIFACT,
          vendor: null,
          registeredBy: 'dana',
        },
      });
    });

    it('answers the same registration again with no event, and refuses other facts with 409', async () => {
      const repeat = await write(
        '/models/credit-risk/versions',
        pipeline,
        registration(completedRun, { artifactDigest: ARTIFACT }),
      );
      expect(repeat).toMatchObject({ id: 'credit-risk@1.0.0', eventIds: [] });
      const conflict = await refused(
        () =>
          send(
            'post',
            '/models/credit-risk/versions',
            pipeline,
            registration(completedRun, { riskTier: 'low' }),
          ),
        409,
        'model-version-immutable',
      );
      expect(conflict.differs).toEqual(['riskTier']);
      expect(conflict.errors).toEqual({ riskTier: ['registered "high", given "low"'] });
    });

    it('refuses an unknown run, an incomplete run, another model’s run and a mismatched artifact', async () => {
      const version = (runId: string, overrides: Record<string, unknown> = {}) =>
        registration(runId, { version: '2.0.0', ...overrides });
      const unknown = await refused(
        () => send('post', '/models/credit-risk/versions', pipeline, version(uuidv7())),
        422,
        'unknown-training-run',
      );
      expect(unknown.errors).toHaveProperty('runId');
      await refused(
        () => send('post', '/models/credit-risk/versions', pipeline, version(runningRun)),
        422,
        'training-run-not-completed',
      );
      await refused(
        () => send('post', '/models/credit-risk/versions', pipeline, version(otherModelRun)),
        422,
        'training-run-of-another-model',
      );
      const mismatch = await refused(
        () =>
          send(
            'post',
            '/models/credit-risk/versions',
            pipeline,
            version(completedRun, { artifactDigest: OTHER_ARTIFACT }),
          ),
        422,
        'artifact-mismatch',
      );
      expect(mismatch.errors).toHaveProperty('artifactDigest');
    });

    it('refuses a regulator (403), unknown fields and malformed values (400)', async () => {
      await refused(
        () =>
          send(
            'post',
            '/models/credit-risk/versions',
            regulator,
            registration(completedRun, { version: '3.0.0' }),
          ),
        403,
      );
      const invalid = await refused(
        () =>
          send(
            'post',
            '/models/credit-risk/versions',
            pipeline,
            registration(completedRun, {
              version: '3.0.0',
              riskTier: 'extreme',
              decisionClass: 'manual',
              personalInformationKinds: ['Financial'],
              runId: 'run-1',
              colour: 'blue',
            }),
          ),
        400,
      );
      expect(Object.keys(invalid.errors as object)).toEqual(
        expect.arrayContaining([
          'riskTier',
          'decisionClass',
          'personalInformationKinds',
          'runId',
          'colour',
        ]),
      );
      await refused(
        () => send('post', '/models/Credit_Risk/versions', pipeline, registration(completedRun)),
        400,
      );
    });
  });

  describe('evaluations, card updates and retirement', () => {
    it('records an evaluation with the dataset content hash and answers its id', async () => {
      const result = await write(
        '/models/credit-risk/versions/1.0.0/evaluations',
        pipeline,
        evaluation(),
      );
      expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
      const events = await test.eventLog.readStream(streams.model('credit-risk'));
      expect(events[events.length - 1]).toMatchObject({
        type: 'ModelEvaluated',
        data: {
          evaluationId: result.id,
          datasetVersion: { name: 'holdout', version: '2026-Q1', contentHash: HOLDOUT_HASH },
          baseline: { version: null, metrics: { auc: 0.76 } },
          verdict: 'pass',
          evaluatedBy: 'ci-pipeline',
        },
      });
    });

    it('refuses an evaluation on an unknown dataset (422), of an unknown version (404), malformed (400) or by a regulator (403)', async () => {
      const unknownDataset = await refused(
        () =>
          send(
            'post',
            '/models/credit-risk/versions/1.0.0/evaluations',
            pipeline,
            evaluation({ datasetVersion: { name: 'holdout', version: '2030-Q1' } }),
          ),
        422,
        'unknown-dataset-version',
      );
      expect(unknownDataset.errors).toHaveProperty('datasetVersion');
      await refused(
        () =>
          send('post', '/models/credit-risk/versions/9.9.9/evaluations', pipeline, evaluation()),
        404,
        'not-found',
      );
      const invalid = await refused(
        () =>
          send(
            'post',
            '/models/credit-risk/versions/1.0.0/evaluations',
            pipeline,
            evaluation({
              verdict: 'maybe',
              metrics: { auc: 'good' },
              fairness: [{ attribute: 1 }],
            }),
          ),
        400,
      );
      expect(Object.keys(invalid.errors as object)).toEqual(
        expect.arrayContaining(['verdict', 'metrics', 'fairness.0.attribute']),
      );
      const [fairness] = evaluation().fairness;
      for (const label of ['65+\n', 'under\t25', '\u202e52>', ' 65+', 'x'.repeat(101)]) {
        const badLabel = await refused(
          () =>
            send(
              'post',
              '/models/credit-risk/versions/1.0.0/evaluations',
              pipeline,
              evaluation({ fairness: [fairness, { ...fairness, groups: { [label]: 0.3 } }] }),
            ),
          400,
        );
        expect(badLabel.errors).toEqual({
          'fairness.1.groups': [expect.stringContaining('group labels')],
        });
      }
      await refused(
        () =>
          send('post', '/models/credit-risk/versions/1.0.0/evaluations', regulator, evaluation()),
        403,
      );
    });

    it('updates the model card recording only the changed fields', async () => {
      const result = await write(
        '/models/credit-risk/versions/1.0.0/card',
        scientist,
        {
          owner: 'head-of-credit-risk',
          humanOversight: 'every referral reviewed by a credit officer',
          limitations: ['not validated for business lending', 'thin-file applicants'],
        },
        200,
        'patch',
      );
      expect(result).toMatchObject({ id: 'credit-risk@1.0.0', eventIds: [expect.any(String)] });
      const events = await test.eventLog.readStream(streams.model('credit-risk'));
      expect(events[events.length - 1].data).toEqual({
        model: 'credit-risk',
        version: '1.0.0',
        changes: {
          humanOversight: 'every referral reviewed by a credit officer',
          limitations: ['not validated for business lending', 'thin-file applicants'],
        },
        updatedBy: 'tess',
        updatedAt: expect.any(String),
      });
      const repeat = await write(
        '/models/credit-risk/versions/1.0.0/card',
        scientist,
        { humanOversight: 'every referral reviewed by a credit officer' },
        200,
        'patch',
      );
      expect(repeat.eventIds).toEqual([]);
    });

    it('refuses an empty card update (400), an unknown version (404) and a regulator (403)', async () => {
      const empty = await refused(
        () => send('patch', '/models/credit-risk/versions/1.0.0/card', scientist, {}),
        400,
      );
      expect(empty.errors).toHaveProperty('body');
      await refused(
        () => send('patch', '/models/credit-risk/versions/1.0.0/card', scientist, { tier: 'x' }),
        400,
      );
      await refused(
        () => send('patch', '/models/credit-risk/versions/9.9.9/card', scientist, { owner: 'x' }),
        404,
      );
      await refused(
        () => send('patch', '/models/credit-risk/versions/1.0.0/card', regulator, { owner: 'x' }),
        403,
      );
    });

    it('shows every view: the model list, the model, and the version with its current card', async () => {
      const models = await read('/models').expect(200);
      expect(models.body.items).toEqual([
        {
          name: 'credit-risk',
          latestVersion: '1.0.0',
          versionCount: 1,
          owner: 'head-of-credit-risk',
          riskTier: 'high',
          decisionClass: 'substantially-assists',
          updatedAt: expect.any(String),
        },
      ]);
      const model = await read('/models/credit-risk').expect(200);
      expect(model.body).toMatchObject({
        name: 'credit-risk',
        latestVersion: '1.0.0',
        versions: [
          {
            version: '1.0.0',
            status: 'registered',
            riskTier: 'high',
            registeredAt: expect.any(String),
          },
        ],
        deployments: [],
      });
      const version = await read('/models/credit-risk/versions/1.0.0').expect(200);
      expect(version.body).toMatchObject({
        model: 'credit-risk',
        version: '1.0.0',
        status: 'registered',
        runId: completedRun,
        trainedBy: 'tess',
        registeredBy: 'dana',
        datasetVersions: [{ name: 'loans', version: '2026-02', contentHash: LOANS_HASH }],
        artifactDigest: ARTIFACT,
        card: {
          riskTier: 'high',
          decisionClass: 'substantially-assists',
          personalInformationKinds: ['financial'],
          intendedUse: 'consumer credit applications up to $50k',
          limitations: ['not validated for business lending', 'thin-file applicants'],
          owner: 'head-of-credit-risk',
          vendor: null,
          humanOversight: 'every referral reviewed by a credit officer',
          explainability: null,
          updatedBy: 'tess',
        },
        evaluations: [
          {
            id: expect.any(String),
            datasetVersion: { name: 'holdout', version: '2026-Q1', contentHash: HOLDOUT_HASH },
            metrics: { auc: 0.8, ks: 0.41 },
            fairness: [
              expect.objectContaining({ attribute: 'age-band', passed: true, groups: BAND_GROUPS }),
            ],
            verdict: 'pass',
            evaluatedBy: 'ci-pipeline',
          },
        ],
        approvals: [],
        deployments: [],
        retirement: null,
      });
    });

    it('shows an approval granted for the version, and the version as approved', async () => {
      const approved: ModelVersionApproved = {
        type: 'ModelVersionApproved',
        data: {
          approvalId: uuidv7(),
          model: 'credit-risk',
          version: '1.0.0',
          environment: 'production',
          evidenceDigest: `sha256:${'7a'.repeat(32)}`,
          approvers: [
            { stage: 1, role: 'risk-manager', sub: 'rita', at: '2026-03-07T00:00:00.000Z' },
          ],
          approvedAt: '2026-03-07T00:00:00.000Z',
        },
      };
      const id = uuidv7();
      const { position } = await test.eventLog.append(
        streams.approval(approved.data.approvalId),
        [
          {
            id,
            type: approved.type,
            data: approved.data,
            metadata: {
              schemaVersion: 1,
              occurredAt: approved.data.approvedAt,
              actor: { sub: 'rita', roles: ['risk-manager'] },
              correlationId: id,
              causationId: id,
            },
          },
        ],
        { expectedRevision: 'any' },
      );
      track(position);
      const version = await read('/models/credit-risk/versions/1.0.0').expect(200);
      expect(version.body).toMatchObject({
        status: 'approved',
        approvals: [
          {
            approvalId: approved.data.approvalId,
            environment: 'production',
            evidenceDigest: approved.data.evidenceDigest,
            approvedAt: '2026-03-07T00:00:00.000Z',
            approvers: approved.data.approvers,
          },
        ],
      });
      const model = await read('/models/credit-risk').expect(200);
      expect(model.body.versions).toMatchObject([{ version: '1.0.0', status: 'approved' }]);
    });

    it('registers a second version as the latest', async () => {
      const run = await startRun('credit-risk', OTHER_ARTIFACT);
      await write(
        '/models/credit-risk/versions',
        pipeline,
        registration(run, { version: '1.1.0', riskTier: 'medium', vendor: 'Acme Scoring' }),
      );
      const models = await read('/models').expect(200);
      expect(models.body.items).toMatchObject([
        { name: 'credit-risk', latestVersion: '1.1.0', versionCount: 2, riskTier: 'medium' },
      ]);
      const model = await read('/models/credit-risk').expect(200);
      expect(
        model.body.versions.map((v: { version: string; status: string }) => [v.version, v.status]),
      ).toEqual([
        ['1.0.0', 'approved'],
        ['1.1.0', 'registered'],
      ]);
    });

    it('reads the deployment timeline at query time: where each version serves, and as deployed', async () => {
      const db = test.app.get(DataSource);
      // The deployments capability's timeline: production runs 1.0.0 with a 10% canary of 1.1.0;
      // staging ran 1.1.0 and was rolled back to nothing.
      const step = (
        environment: string,
        revision: number,
        eventType: string,
        serving: [string | null, string | null, number | null],
        status: string,
        day: number,
      ) =>
        db.query(
          `INSERT INTO deployment_timeline (deployment_id, revision, model, environment, event_type,
             version, canary_version, canary_percent, strategy, status, approval_id, cited_approvals,
             deployed_by, at, event_id)
           VALUES ($1, $2, 'credit-risk', $3, $4, $5, $6, $7, $8, $9, NULL, '{}'::jsonb, 'rita', $10,
             gen_random_uuid())`,
          [
            `credit-risk.${environment}`,
            revision,
            environment,
            eventType,
            ...serving,
            serving[1] === null ? 'full' : 'canary',
            status,
            `2026-03-0${day}T09:00:00.000Z`,
          ],
        );
      await step('production', 0, 'ModelDeployed', ['1.0.0', null, null], 'active', 1);
      await step('production', 1, 'ModelDeployed', ['1.0.0', '1.1.0', 10], 'active', 2);
      await step('staging', 0, 'ModelDeployed', ['1.1.0', null, null], 'active', 3);
      await step('staging', 1, 'DeploymentRolledBack', [null, null, null], 'inactive', 4);
      const model = await read('/models/credit-risk').expect(200);
      expect(model.body.deployments).toEqual([
        {
          deploymentId: 'credit-risk.production',
          environment: 'production',
          version: '1.0.0',
          canaryVersion: '1.1.0',
          canaryPercent: 10,
          strategy: 'canary',
          status: 'active',
        },
        {
          deploymentId: 'credit-risk.staging',
          environment: 'staging',
          version: null,
          canaryVersion: null,
          canaryPercent: null,
          strategy: 'full',
          status: 'inactive',
        },
      ]);
      expect(
        model.body.versions.map((v: { version: string; status: string }) => [v.version, v.status]),
      ).toEqual([
        ['1.0.0', 'deployed'],
        ['1.1.0', 'deployed'],
      ]);
      const canary = await read('/models/credit-risk/versions/1.1.0').expect(200);
      expect(canary.body).toMatchObject({
        status: 'deployed',
        card: { vendor: 'Acme Scoring', riskTier: 'medium' },
        deployments: [
          {
            deploymentId: 'credit-risk.production',
            environment: 'production',
            role: 'canary',
            percent: 10,
            strategy: 'canary',
          },
        ],
        firstDeployedAt: '2026-03-02T09:00:00.000Z',
        lastServedUntil: null,
      });
      expect(
        canary.body.deploymentHistory.map((d: Record<string, unknown>) => [
          d.environment,
          d.strategy,
          d.canaryPercent,
          d.started,
          d.ended,
        ]),
      ).toEqual([
        ['production', 'canary', 10, 'deployed', null],
        ['staging', 'full', null, 'deployed', 'rolled-back'],
      ]);
    });

    it('retires a version once, then refuses card updates and evaluations of it with 409', async () => {
      const retired = await write('/models/credit-risk/versions/1.0.0/retirement', pipeline, {
        reason: 'superseded by 1.1.0',
      });
      expect(retired).toMatchObject({ id: 'credit-risk@1.0.0', eventIds: [expect.any(String)] });
      const repeat = await write('/models/credit-risk/versions/1.0.0/retirement', pipeline, {
        reason: 'superseded by 1.1.0',
      });
      expect(repeat.eventIds).toEqual([]);
      await refused(
        () => send('patch', '/models/credit-risk/versions/1.0.0/card', scientist, { owner: 'x' }),
        409,
        'model-version-retired',
      );
      await refused(
        () =>
          send('post', '/models/credit-risk/versions/1.0.0/evaluations', pipeline, evaluation()),
        409,
        'model-version-retired',
      );
      await refused(
        () =>
          send('post', '/models/credit-risk/versions/9.9.9/retirement', pipeline, { reason: 'x' }),
        404,
      );
      const version = await read('/models/credit-risk/versions/1.0.0').expect(200);
      expect(version.body).toMatchObject({
        status: 'retired',
        retirement: { reason: 'superseded by 1.1.0', retiredBy: 'ci-pipeline' },
      });
    });

    it('answers 404 problem+json for an unknown model or version, and 400 for a malformed name', async () => {
      for (const path of ['/models/unknown-model', '/models/credit-risk/versions/9.9.9']) {
        const missing = await read(path).expect(404);
        expect(missing.headers['content-type']).toMatch(PROBLEM);
        expect(missing.body.code).toBe('not-found');
      }
      await read('/models/Not_A_Name').expect(400);
      await read('/models?limit=0').expect(400);
    });

    it('rebuilds the registry from the ledger into the same views', async () => {
      const before = await Promise.all(
        ['/models', '/models/credit-risk', '/models/credit-risk/versions/1.0.0'].map(
          async (path) => (await read(path).expect(200)).body,
        ),
      );
      await test.runner.stop();
      await test.runner.rebuild(['model-registry']);
      await test.runner.start();
      const after = await Promise.all(
        ['/models', '/models/credit-risk', '/models/credit-risk/versions/1.0.0'].map(
          async (path) => (await read(path).expect(200)).body,
        ),
      );
      expect(after).toEqual(before);
    });
  });
});
