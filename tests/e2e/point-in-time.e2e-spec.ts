import { DataSource } from 'typeorm';
import { ApprovalTimelineProjection } from '../../src/approvals/queries/approvals-as-of/approval-timeline.projection';
import { DeploymentTimelineProjection } from '../../src/deployments/queries/deployments-as-of/deployment-timeline.projection';
import { ModelCardHistoryProjection } from '../../src/model-registry/queries/model-registry-as-of/model-card-history.projection';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import { redeliver } from '../support/redeliver';
import { recordPassingServiceEvaluation } from '../support/service-evaluation-fixture';
import { STAFF } from '../support/staff';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const sha = (fill: string) => `sha256:${fill.repeat(64).slice(0, 64)}`;
const JAN_DATA = { name: 'credit-applications', version: '2026-01', contentHash: sha('c1') };
const APR_DATA = { name: 'credit-applications', version: '2026-04', contentHash: sha('c2') };

/** Instants between the recorded changes (see the history in beforeAll). */
const T = {
  beforeAnything: '2026-02-01T00:00:00Z',
  firstGrantOnly: '2026-02-22T00:00:00Z',
  approvedNotDeployed: '2026-02-28T00:00:00Z',
  march: '2026-03-15T00:00:00Z',
  april: '2026-04-15T00:00:00Z',
  secondRequestMade: '2026-05-06T00:00:00Z',
  secondHalfGranted: '2026-05-09T12:00:00Z',
  canary: '2026-05-17T00:00:00Z',
  promoted: '2026-05-25T00:00:00Z',
  rolledBack: '2026-06-20T00:00:00Z',
  later: '2027-01-01T00:00:00Z',
};

/**
 * Answers as of an instant, from a credit-risk history recorded over HTTP across simulated months:
 * 1.0.0 approved in February and deployed in March (with a staging deployment retired in April),
 * its card changed in April, 1.1.0 approved in May, canaried and promoted, rolled back in June.
 */
describe('point-in-time answers (asOf)', () => {
  const time = new TestClock('2026-01-05T09:00:00.000Z');
  let test: TestApp;
  const tokens = new Map<string, string>();
  let position = '';
  let firstApproval = '';
  let firstServiceRun: ModelEvaluated;
  let secondApproval = '';

  const as = (who: string) => `Bearer ${tokens.get(who)}`;
  const send = async (
    at: string,
    who: string,
    method: 'post' | 'patch',
    path: string,
    body: object,
  ) => {
    time.set(at);
    const client = test.anonymous();
    const response = await client[method](`/api/v1${path}`)
      .set('Authorization', as(who))
      .send(body);
    expect({ path, status: response.status, body: response.body }).toMatchObject({
      path,
      status: method === 'post' ? 201 : 200,
    });
    position = response.body.ledgerPosition;
    return response.body as { id: string; ledgerPosition: string };
  };
  const get = (path: string, who = 'carol') =>
    test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', as(who))
      .set('X-Ledger-Position', position);
  const read = async (path: string, who = 'carol') => (await get(path, who).expect(200)).body;

  async function dataset(at: string, version: string, contentHash: string) {
    await send(at, 'ci', 'post', '/datasets/credit-applications/versions', {
      version,
      contentHash,
      rows: 250_000,
      schema: [
        {
          name: 'annual_income',
          type: 'number',
          personal: true,
          sensitive: false,
          category: 'financial',
        },
      ],
      location: `s3://lake/credit/${version}.parquet`,
      region: 'ap-southeast-2',
      lawfulBasis: 'necessary to assess the credit application (APP 3.2)',
      collectionNotice: 'https://bank.example/privacy/credit-notice-v5',
      purpose: 'credit assessment',
      retention: 'P7Y',
    });
  }

  async function trainAndRegister(at: string, version: string, data: string, registrant: string) {
    const run = await send(at, 'ci', 'post', '/training-runs', {
      model: 'credit-risk',
      datasetVersions: [{ name: 'credit-applications', version: data }],
      code: { repository: 'git@bank.example:risk/credit.git', commit: 'a1b2c3d4e5f6' },
      algorithm: 'gradient-boosted trees',
      hyperparameters: { depth: 6 },
    });
    await send(at, 'ci', 'post', `/training-runs/${run.id}/completion`, {
      metrics: { auc: 0.82 },
      validationApproach: 'out-of-time holdout',
      artifact: {
        uri: `s3://models/credit-risk/${version}.onnx`,
        digest: versionArtifact(version).digest,
        format: 'onnx',
      },
    });
    await send(at, registrant, 'post', '/models/credit-risk/versions', {
      version,
      runId: run.id,
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer consumer credit applications',
      intendedUse: 'pre-screening of unsecured personal loans',
      limitations: ['not for small-business lending'],
      owner: 'head-of-credit-risk',
    });
    position = (
      await storeVersionArtifact(test, as(registrant), {
        model: 'credit-risk',
        version,
        tag: version,
      })
    ).ledgerPosition;
    await evaluate(at, version, 0.81);
  }

  async function evaluate(at: string, version: string, auc: number) {
    await send(at, 'ci', 'post', `/models/credit-risk/versions/${version}/evaluations`, {
      datasetVersion: { name: 'credit-applications', version: '2026-01' },
      metrics: { auc },
      fairness: [],
      verdict: 'pass',
    });
  }

  /**
   * A passing evaluation Attest computed for production, recorded through the ledger as the
   * evaluation-run API records one: what the approval gate asks for before a request.
   */
  async function attestEvaluates(
    at: string,
    version: string,
    data: typeof JAN_DATA,
  ): Promise<ModelEvaluated> {
    time.set(at);
    const { event, appended } = await recordPassingServiceEvaluation(test.eventLog, {
      model: 'credit-risk',
      version,
      environment: 'production',
      riskTier: 'high',
      datasetVersion: data,
      artifactDigest: versionArtifact(version).digest,
      evaluatedAt: new Date(at).toISOString(),
    });
    position = appended.position;
    return event;
  }

  async function deploy(at: string, body: object) {
    await send(at, 'rick', 'post', '/deployments', { model: 'credit-risk', ...body });
  }

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
    for (const [sub, roles] of STAFF) tokens.set(sub, await test.token(sub, roles));

    await dataset('2026-01-20T09:00:00Z', JAN_DATA.version, JAN_DATA.contentHash);
    await trainAndRegister('2026-02-10T09:00:00Z', '1.0.0', '2026-01', 'dana');
    firstServiceRun = await attestEvaluates('2026-02-14T09:00:00.000Z', '1.0.0', JAN_DATA);
    const first = await send(
      '2026-02-15T09:00:00Z',
      'dana',
      'post',
      '/models/credit-risk/versions/1.0.0/approval-requests',
      { environment: 'production' },
    );
    firstApproval = first.id;
    await send('2026-02-20T09:00:00Z', 'rick', 'post', `/approvals/${firstApproval}/decisions`, {
      decision: 'grant',
      comment: 'validation and disclosures reviewed',
    });
    await send('2026-02-25T09:00:00Z', 'carol', 'post', `/approvals/${firstApproval}/decisions`, {
      decision: 'grant',
      comment: 'validation and disclosures reviewed',
    });
    await deploy('2026-03-02T09:00:00Z', {
      version: '1.0.0',
      environment: 'production',
      strategy: 'full',
      approvalId: firstApproval,
    });
    await deploy('2026-03-03T09:00:00Z', {
      version: '1.0.0',
      environment: 'staging',
      strategy: 'full',
    });
    await send(
      '2026-04-01T09:00:00Z',
      'rick',
      'post',
      '/deployments/credit-risk.staging/retirement',
      {
        reason: 'staging moves to the shared platform',
      },
    );
    await send('2026-04-10T09:00:00Z', 'dana', 'patch', '/models/credit-risk/versions/1.0.0/card', {
      owner: 'chief-risk-officer',
      monitoringCadence: 'monthly',
    });
    await evaluate('2026-04-12T09:00:00Z', '1.0.0', 0.79);
    await dataset('2026-04-18T09:00:00Z', APR_DATA.version, APR_DATA.contentHash);
    await trainAndRegister('2026-04-20T09:00:00Z', '1.1.0', '2026-04', 'dev');
    await attestEvaluates('2026-05-04T09:00:00.000Z', '1.1.0', APR_DATA);
    const second = await send(
      '2026-05-05T09:00:00Z',
      'dev',
      'post',
      '/models/credit-risk/versions/1.1.0/approval-requests',
      { environment: 'production' },
    );
    secondApproval = second.id;
    await send('2026-05-08T09:00:00Z', 'rosa', 'post', `/approvals/${secondApproval}/decisions`, {
      decision: 'grant',
      comment: 'validation and disclosures reviewed',
    });
    await send('2026-05-12T09:00:00Z', 'carol', 'post', `/approvals/${secondApproval}/decisions`, {
      decision: 'grant',
      comment: 'validation and disclosures reviewed',
    });
    await deploy('2026-05-15T09:00:00Z', {
      version: '1.1.0',
      environment: 'production',
      strategy: 'canary',
      canaryPercent: 10,
      approvalId: secondApproval,
    });
    await send(
      '2026-05-20T09:00:00Z',
      'rick',
      'post',
      '/deployments/credit-risk.production/promotion',
      {},
    );
    await send(
      '2026-06-10T09:00:00Z',
      'ci',
      'post',
      '/deployments/credit-risk.production/rollback',
      {
        reason: 'PSI on annual_income above 0.25',
        automatic: true,
      },
    );
    time.set('2026-07-01T00:00:00Z');
  });
  afterAll(() => test?.close());

  const firstApprovers = () => [
    { stage: 0, role: 'risk-manager', sub: 'rick', at: '2026-02-20T09:00:00.000Z' },
    { stage: 1, role: 'compliance-officer', sub: 'carol', at: '2026-02-25T09:00:00.000Z' },
  ];
  const secondApprovers = () => [
    { stage: 0, role: 'risk-manager', sub: 'rosa', at: '2026-05-08T09:00:00.000Z' },
    { stage: 1, role: 'compliance-officer', sub: 'carol', at: '2026-05-12T09:00:00.000Z' },
  ];
  const production = (asOf: string) => read(`/deployments?environment=production&asOf=${asOf}`);

  describe('deployments', () => {
    it('shows nothing before the first rollout, then what served with its approval, approvers and data', async () => {
      expect(await read(`/deployments?asOf=${T.approvedNotDeployed}`)).toEqual({
        asOf: '2026-02-28T00:00:00.000Z',
        items: [],
        nextCursor: null,
      });
      const march = await read(`/deployments?asOf=${T.march}`);
      expect(march.items.map((item: { deploymentId: string }) => item.deploymentId)).toEqual([
        'credit-risk.production',
        'credit-risk.staging',
      ]);
      expect(march.items[0]).toEqual({
        deploymentId: 'credit-risk.production',
        model: 'credit-risk',
        environment: 'production',
        version: '1.0.0',
        canaryVersion: null,
        canaryPercent: null,
        strategy: 'full',
        status: 'active',
        approvalId: firstApproval,
        deployedBy: 'rick',
        updatedAt: '2026-03-02T09:00:00.000Z',
        lastRevision: 0,
        serving: [
          {
            version: '1.0.0',
            role: 'primary',
            percent: 100,
            approvalId: firstApproval,
            approvers: firstApprovers(),
            datasetVersions: [JAN_DATA],
          },
        ],
      });
      expect(march.items[1]).toMatchObject({
        status: 'active',
        approvalId: null,
        serving: [
          { version: '1.0.0', approvalId: null, approvers: [], datasetVersions: [JAN_DATA] },
        ],
      });
    });

    it('counts an event at exactly the instant asked, and filters by the status then', async () => {
      const atRollout = await production('2026-03-02T09:00:00.000Z');
      expect(atRollout.items).toHaveLength(1);
      expect((await production('2026-03-02T08:59:59.999Z')).items).toEqual([]);
      // Written with an offset: the same instant as 09:00Z.
      expect((await production('2026-03-02T19:00:00%2B10:00')).items).toHaveLength(1);

      const april = await read(`/deployments?asOf=${T.april}`);
      expect(april.items[1]).toMatchObject({
        deploymentId: 'credit-risk.staging',
        status: 'retired',
        version: null,
        serving: [],
      });
      const active = await read(`/deployments?status=active&asOf=${T.april}`);
      expect(active.items.map((item: { deploymentId: string }) => item.deploymentId)).toEqual([
        'credit-risk.production',
      ]);
      expect((await read(`/deployments?model=fraud&asOf=${T.april}`)).items).toEqual([]);
    });

    it('splits a canary between the two versions, each with its own approval and data', async () => {
      const [canary] = (await production(T.canary)).items;
      expect(canary).toMatchObject({
        version: '1.0.0',
        canaryVersion: '1.1.0',
        canaryPercent: 10,
        strategy: 'canary',
        approvalId: secondApproval,
      });
      expect(canary.serving).toEqual([
        {
          version: '1.0.0',
          role: 'primary',
          percent: 90,
          approvalId: firstApproval,
          approvers: firstApprovers(),
          datasetVersions: [JAN_DATA],
        },
        {
          version: '1.1.0',
          role: 'canary',
          percent: 10,
          approvalId: secondApproval,
          approvers: secondApprovers(),
          datasetVersions: [APR_DATA],
        },
      ]);
      const [promoted] = (await production(T.promoted)).items;
      expect(promoted).toMatchObject({ version: '1.1.0', canaryVersion: null, strategy: 'full' });
      expect(promoted.serving).toEqual([
        expect.objectContaining({ version: '1.1.0', percent: 100, approvalId: secondApproval }),
      ]);
    });

    it('after the rollback shows the first version again, on its own approval', async () => {
      const [rolledBack] = (await production(T.rolledBack)).items;
      expect(rolledBack).toMatchObject({
        version: '1.0.0',
        approvalId: firstApproval,
        deployedBy: 'ci',
        lastRevision: 3,
      });
      expect(rolledBack.serving).toEqual([
        expect.objectContaining({ version: '1.0.0', approvers: firstApprovers() }),
      ]);
    });

    it('answers as of a later instant exactly what the current list says', async () => {
      const now = await read('/deployments');
      const later = await read(`/deployments?asOf=${T.later}`);
      expect(later.items.map(({ serving: _serving, ...row }: { serving: unknown }) => row)).toEqual(
        now.items,
      );
    });
  });

  describe('models', () => {
    it('is not found before its first registration, nor is a version registered later', async () => {
      const missing = await get(`/models/credit-risk?asOf=${T.beforeAnything}`).expect(404);
      expect(missing.body.detail).toContain('credit-risk as of 2026-02-01T00:00:00.000Z');
      await get(`/models/credit-risk/versions/1.0.0?asOf=${T.beforeAnything}`).expect(404);
      await get(`/models/credit-risk/versions/1.1.0?asOf=${T.april}`).expect(404);
      await get(`/models/ghost?asOf=${T.later}`).expect(404);
    });

    it('shows the versions, statuses and deployments of each instant', async () => {
      const statuses = async (asOf: string) => {
        const model = await read(`/models/credit-risk?asOf=${asOf}`);
        return model.versions.map(
          (v: { version: string; status: string }) => `${v.version}:${v.status}`,
        );
      };
      expect(await statuses(T.firstGrantOnly)).toEqual(['1.0.0:registered']);
      expect(await statuses(T.approvedNotDeployed)).toEqual(['1.0.0:approved']);
      expect(await statuses(T.march)).toEqual(['1.0.0:deployed']);
      expect(await statuses(T.canary)).toEqual(['1.0.0:deployed', '1.1.0:deployed']);
      expect(await statuses(T.promoted)).toEqual(['1.0.0:approved', '1.1.0:deployed']);
      expect(await statuses(T.rolledBack)).toEqual(['1.0.0:deployed', '1.1.0:approved']);

      const march = await read(`/models/credit-risk?asOf=${T.march}`);
      expect(march).toMatchObject({
        asOf: '2026-03-15T00:00:00.000Z',
        name: 'credit-risk',
        latestVersion: '1.0.0',
        versionCount: 1,
        owner: 'head-of-credit-risk',
        createdAt: '2026-02-10T09:00:00.000Z',
        updatedAt: '2026-02-25T09:00:00.000Z',
      });
      expect(march.deployments).toEqual([
        expect.objectContaining({ environment: 'production', version: '1.0.0', status: 'active' }),
        expect.objectContaining({ environment: 'staging', version: '1.0.0', status: 'active' }),
      ]);
      const april = await read(`/models/credit-risk?asOf=${T.april}`);
      expect(april).toMatchObject({
        owner: 'chief-risk-officer',
        updatedAt: '2026-04-12T09:00:00.000Z',
      });
      expect(april.deployments[1]).toMatchObject({ environment: 'staging', status: 'retired' });
      expect(await read(`/models/credit-risk?asOf=${T.canary}`)).toMatchObject({
        latestVersion: '1.1.0',
        versionCount: 2,
      });
    });

    it('shows a version’s card, evaluations, approvals and deployments as they were', async () => {
      const version = (asOf: string) => read(`/models/credit-risk/versions/1.0.0?asOf=${asOf}`);
      const february = await version(T.firstGrantOnly);
      expect(february).toMatchObject({
        status: 'registered',
        approvals: [],
        deployments: [],
        datasetVersions: [JAN_DATA],
        card: {
          owner: 'head-of-credit-risk',
          monitoringCadence: null,
          updatedBy: null,
          updatedAt: null,
        },
      });
      expect(
        february.evaluations.map((e: { performedBy: string; id: string }) => [e.performedBy, e.id]),
      ).toEqual([
        ['pipeline', expect.any(String)],
        ['attest', firstServiceRun.data.evaluationId],
      ]);

      const march = await version(T.march);
      expect(march.card).toMatchObject({ owner: 'head-of-credit-risk', monitoringCadence: null });
      expect(march.approvals).toEqual([
        expect.objectContaining({ approvalId: firstApproval, approvers: firstApprovers() }),
      ]);
      expect(march.deployments).toEqual([
        expect.objectContaining({ environment: 'production', role: 'primary', percent: 100 }),
        expect.objectContaining({ environment: 'staging', role: 'primary', percent: 100 }),
      ]);

      const april = await version(T.april);
      expect(april.card).toMatchObject({
        owner: 'chief-risk-officer',
        monitoringCadence: 'monthly',
        intendedUse: 'pre-screening of unsecured personal loans',
        updatedBy: 'dana',
        updatedAt: '2026-04-10T09:00:00.000Z',
      });
      expect(april.evaluations.map((e: { metrics: { auc: number } }) => e.metrics.auc)).toEqual([
        0.81,
        firstServiceRun.data.metrics.auc,
        0.79,
      ]);
      expect((await version(T.canary)).deployments).toEqual([
        expect.objectContaining({ environment: 'production', role: 'primary', percent: 90 }),
      ]);
      expect((await version(T.promoted)).deployments).toEqual([]);
    });

    it('answers as of a later instant exactly what the current views say', async () => {
      const strip = ({ asOf: _asOf, ...view }: { asOf: string }) => view;
      expect(strip(await read(`/models/credit-risk?asOf=${T.later}`))).toEqual(
        await read('/models/credit-risk'),
      );
      for (const v of ['1.0.0', '1.1.0']) {
        expect(strip(await read(`/models/credit-risk/versions/${v}?asOf=${T.later}`))).toEqual(
          await read(`/models/credit-risk/versions/${v}`),
        );
      }
    });
  });

  describe('approvals', () => {
    it('shows each request’s status and stage decisions then; a request made later is absent', async () => {
      const at = (asOf: string) => read(`/approvals/${secondApproval}?asOf=${asOf}`);
      await get(`/approvals/${secondApproval}?asOf=${T.april}`).expect(404);
      expect(await at(T.secondRequestMade)).toMatchObject({
        asOf: '2026-05-06T00:00:00.000Z',
        status: 'pending',
        currentStage: 0,
        currentRole: 'risk-manager',
        grantedBy: [],
        decidedAt: null,
        stages: [
          { stage: 0, status: 'pending', by: null },
          { stage: 1, status: 'pending', by: null },
        ],
      });
      expect(await at(T.secondHalfGranted)).toMatchObject({
        status: 'pending',
        currentStage: 1,
        currentRole: 'compliance-officer',
        grantedBy: ['rosa'],
        stages: [
          { stage: 0, status: 'granted', by: 'rosa', at: '2026-05-08T09:00:00.000Z' },
          { stage: 1, status: 'pending', by: null, at: null },
        ],
      });
      expect(await at(T.canary)).toMatchObject({
        status: 'approved',
        grantedBy: ['rosa', 'carol'],
        decidedAt: '2026-05-12T09:00:00.000Z',
      });
    });

    it('lists requests by their status then, for any caller, and pages', async () => {
      const ids = async (query: string, who = 'carol') =>
        (await read(`/approvals?${query}`, who)).items.map((item: { id: string }) => item.id);
      expect(await ids(`asOf=${T.beforeAnything}`)).toEqual([]);
      expect(await ids(`status=pending&asOf=${T.firstGrantOnly}`)).toEqual([firstApproval]);
      expect(await ids(`status=approved&asOf=${T.firstGrantOnly}`)).toEqual([]);
      expect(await ids(`status=pending&asOf=${T.secondHalfGranted}`, 'rick')).toEqual([
        secondApproval,
      ]);
      expect(await ids(`status=approved&asOf=${T.secondHalfGranted}`)).toEqual([firstApproval]);
      expect(await ids(`status=approved&asOf=${T.later}`)).toEqual([firstApproval, secondApproval]);
      expect(await ids(`environment=staging&asOf=${T.later}`)).toEqual([]);
      const page = await read(`/approvals?asOf=${T.later}&limit=1`);
      expect(page).toMatchObject({
        items: [{ id: firstApproval }],
        nextCursor: expect.any(String),
      });
      expect(await ids(`asOf=${T.later}&limit=1&after=${page.nextCursor}`)).toEqual([
        secondApproval,
      ]);
    });

    it('answers as of a later instant exactly what the current views say', async () => {
      const { asOf: _asOf, ...later } = await read(`/approvals/${firstApproval}?asOf=${T.later}`);
      expect(later).toEqual(await read(`/approvals/${firstApproval}`));
      const { asOf: _listAsOf, ...page } = await read(`/approvals?asOf=${T.later}`);
      expect(page).toEqual(await read('/approvals'));
    });
  });

  it('refuses a malformed asOf with 400 naming it, on every view', async () => {
    const routes = [
      '/deployments?environment=production&asOf=',
      '/models/credit-risk?asOf=',
      '/models/credit-risk/versions/1.0.0?asOf=',
      '/approvals?status=pending&asOf=',
      `/approvals/${firstApproval}?asOf=`,
    ];
    for (const route of routes) {
      for (const bad of [
        '',
        'yesterday',
        '2026-03-01',
        '2026-02-30T00:00:00Z',
        '2026-03-01T00:00:00',
      ]) {
        const response = await get(`${route}${bad}`);
        expect({ route, bad, status: response.status }).toEqual({ route, bad, status: 400 });
        expect(response.body.errors).toHaveProperty('asOf');
      }
    }
  });

  it('gives identical answers after replaying events again and after rebuilding every projection', async () => {
    const paths = [
      ...Object.values(T).flatMap((asOf) => [
        `/deployments?asOf=${asOf}`,
        `/approvals?asOf=${asOf}`,
        `/approvals/${firstApproval}?asOf=${asOf}`,
        `/models/credit-risk?asOf=${asOf}`,
        `/models/credit-risk/versions/1.0.0?asOf=${asOf}`,
        `/models/credit-risk/versions/1.1.0?asOf=${asOf}`,
      ]),
      '/deployments',
      '/models/credit-risk',
    ];
    const answers = async () => {
      const all: { path: string; status: number; body: unknown }[] = [];
      for (const path of paths) {
        const response = await get(path);
        // A problem carries the request's own correlation id; the rest must match.
        const { correlationId: _id, ...body } = response.body as { correlationId?: string };
        all.push({ path, status: response.status, body });
      }
      return all;
    };
    const before = await answers();
    expect(before.filter((answer) => answer.status === 200).length).toBeGreaterThan(40);

    const events = await test.eventLog.readAll({ maxCount: 10_000 });
    await redeliver(
      test.app.get(DataSource),
      [
        test.app.get(DeploymentTimelineProjection),
        test.app.get(ApprovalTimelineProjection),
        test.app.get(ModelCardHistoryProjection),
      ],
      events,
    );
    expect(await answers()).toEqual(before);

    await test.runner.rebuild();
    expect(await answers()).toEqual(before);
  });
});
