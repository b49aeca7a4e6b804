import { GovernanceClient } from '../support/governance-client';
import { STAFF } from '../support/staff';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const sha = (fill: string) => `sha256:${fill.repeat(64).slice(0, 64)}`;
const PROBLEM = /application\/problem\+json/;

type Ref = { kind: string; id: string };
type Graph = {
  root: Ref;
  asOf: string | null;
  depth: number;
  direction: string;
  truncated: boolean;
  nodes: (Ref & {
    facts: Record<string, unknown> | null;
    eventIds: string[];
    predictionBatches?: { count: number; firstRecordedAt: string; lastRecordedAt: string };
  })[];
  edges: { from: Ref; to: Ref; relation: string; eventId: string; occurredAt: string }[];
};

/**
 * Three months of a credit model's history, recorded through the API at a test clock: two
 * dataset versions (one derived from the other), two runs, two model versions, staging and
 * production, prediction batches and a rollback; then lineage both ways, cut by depth, and as of
 * instants before, between and after the changes.
 */
describe('lineage', () => {
  const time = new TestClock('2026-01-05T09:00:00.000Z');
  let test: TestApp;
  let api: GovernanceClient;
  const ids = {
    runA: '',
    runB: '',
    approvalA: '',
    approvalB: '',
    batch1: '',
    batch2: '',
    batch3: '',
  };

  const send = (who: string, path: string, body: object) => api.send(who, path, body);
  const get = (path: string, who = 'rita') => api.get(who, path);
  const lineage = async (path: string, who = 'rita') =>
    (await get(path, who).expect(200)).body as Graph;
  const names = (graph: Graph) => graph.nodes.map((node) => `${node.kind} ${node.id}`).sort();
  const links = (graph: Graph) =>
    graph.edges.map((edge) => `${edge.from.id} -${edge.relation}-> ${edge.to.id}`).sort();
  const node = (graph: Graph, id: string) => graph.nodes.find((entry) => entry.id === id);

  const registerDataset = (version: string, parents: { name: string; version: string }[] = []) =>
    send('ci', `/datasets/credit-applications/versions`, {
      version,
      contentHash: sha(version.replace('-', '').slice(-2)),
      rows: 250_000,
      schema: [
        {
          name: 'annual_income',
          type: 'number',
          personal: true,
          sensitive: false,
          category: 'financial',
        },
        { name: 'loan_term', type: 'number', personal: false, sensitive: false },
      ],
      location: `s3://lake/credit/${version}.parquet`,
      region: 'ap-southeast-2',
      lawfulBasis: 'necessary to assess the credit application (APP 3.2)',
      collectionNotice: 'https://bank.example/privacy/credit-notice-v5',
      purpose: 'credit assessment',
      retention: 'P7Y',
      piaId: 'PIA-2026-031',
      ...(parents.length > 0 ? { parents } : {}),
    });

  async function trainAndRegister(version: string, dataset: string, registrant: string) {
    const run = await send('ci', '/training-runs', {
      model: 'credit-risk',
      datasetVersions: [{ name: 'credit-applications', version: dataset }],
      code: {
        repository: 'git@bank.example:risk/credit.git',
        commit: `c0ffee${version.replace(/\./g, '')}`,
      },
      algorithm: 'gradient-boosted trees',
      hyperparameters: { depth: 6 },
      environment: { python: '3.12' },
    });
    await send('ci', `/training-runs/${run.id}/completion`, {
      metrics: { auc: 0.82 },
      validationApproach: 'out-of-time holdout 2025-Q4',
      artifact: {
        uri: `s3://models/credit-risk/${version}.onnx`,
        digest: versionArtifact(version).digest,
        format: 'onnx',
      },
    });
    await send(registrant, '/models/credit-risk/versions', {
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
    await storeVersionArtifact(test, api.bearer(registrant), {
      model: 'credit-risk',
      version,
      tag: version,
    });
    await send('ci', `/models/credit-risk/versions/${version}/evaluations`, {
      datasetVersion: { name: 'credit-holdout', version: '2026-01' },
      metrics: { auc: 0.81 },
      fairness: [],
      verdict: 'pass',
    });
    return run.id;
  }

  async function approve(version: string, requester: string, first: string, second: string) {
    const request = await send(
      requester,
      `/models/credit-risk/versions/${version}/approval-requests`,
      {
        environment: 'production',
      },
    );
    await send(first, `/approvals/${request.id}/decisions`, { decision: 'grant', comment: 'ok' });
    await send(second, `/approvals/${request.id}/decisions`, { decision: 'grant', comment: 'ok' });
    return request.id;
  }

  const deploy = (version: string, environment: string, approvalId?: string) =>
    send('rick', '/deployments', {
      model: 'credit-risk',
      version,
      environment,
      strategy: 'full',
      ...(approvalId ? { approvalId } : {}),
    });

  const batch = async (version: string, from: string) =>
    (
      await send('ci', '/deployments/credit-risk.production/prediction-batches', {
        version,
        count: 1000,
        window: { from, to: new Date(Date.parse(from) + 3_600_000).toISOString() },
        inputDigest: sha(from.slice(5, 7) + from.slice(8, 10)),
        outputDistribution: { approve: 700, refer: 300 },
        featureSummaries: [],
        latencyMs: { p50: 10, p95: 30, p99: 50 },
        decisions: { automated: 700, referred: 300 },
      })
    ).id;

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
    api = new GovernanceClient(test);
    await api.signIn(STAFF);
    // Lineage reads no evaluation rule: the pipeline's posted evaluations are the lineage edges
    // here, so the policy asks no service-run evaluation (README, "Governance workflow").
    await api.send(
      'carol',
      '/policies/approval',
      {
        tiers: {
          low: { stages: ['risk-manager'], requirePassingEvaluation: false },
          medium: { stages: ['risk-manager'], requirePassingEvaluation: false },
          high: {
            stages: ['risk-manager', 'compliance-officer'],
            requirePassingEvaluation: false,
            requireGrantComment: true,
          },
        },
      },
      { method: 'put' },
    );

    // January: data, the first run and version, staging, then production on an approval
    await registerDataset('2026-01');
    await send('ci', '/datasets/credit-holdout/versions', {
      version: '2026-01',
      contentHash: sha('e1'),
      rows: 50_000,
      schema: [{ name: 'loan_term', type: 'number', personal: false, sensitive: false }],
      location: 's3://lake/credit/holdout-2026-01.parquet',
      region: 'ap-southeast-2',
    });
    time.set('2026-01-06T09:00:00.000Z');
    await registerDataset('2026-02', [{ name: 'credit-applications', version: '2026-01' }]);
    time.set('2026-01-10T09:00:00.000Z');
    ids.runA = await trainAndRegister('1.0.0', '2026-01', 'dana');
    time.set('2026-01-12T09:00:00.000Z');
    await deploy('1.0.0', 'staging');
    time.set('2026-01-15T09:00:00.000Z');
    ids.approvalA = await approve('1.0.0', 'dana', 'rick', 'carol');
    await deploy('1.0.0', 'production', ids.approvalA);
    // February: scoring, and a second version trained on the derived dataset
    time.set('2026-02-01T09:00:00.000Z');
    ids.batch1 = await batch('1.0.0', '2026-02-01T00:00:00.000Z');
    time.set('2026-02-15T09:00:00.000Z');
    ids.runB = await trainAndRegister('1.1.0', '2026-02', 'dev');
    await deploy('1.1.0', 'staging');
    // March: 1.1.0 to production, scored, rolled back to 1.0.0, scored again
    time.set('2026-03-01T09:00:00.000Z');
    ids.approvalB = await approve('1.1.0', 'dev', 'rosa', 'carol');
    await deploy('1.1.0', 'production', ids.approvalB);
    time.set('2026-03-02T09:00:00.000Z');
    ids.batch2 = await batch('1.1.0', '2026-03-02T00:00:00.000Z');
    time.set('2026-03-10T09:00:00.000Z');
    await send('ci', '/deployments/credit-risk.production/rollback', {
      reason: 'PSI on annual_income above 0.25',
      automatic: true,
    });
    time.set('2026-03-11T09:00:00.000Z');
    ids.batch3 = await batch('1.0.0', '2026-03-11T00:00:00.000Z');
    // Some 25 writes on embedded PGlite: allow for a loaded machine.
  }, 120_000);
  afterAll(() => test.close());

  it('follows a dataset version downstream to the prediction batches', async () => {
    const graph = await lineage(
      '/lineage/dataset-version/credit-applications@2026-01?direction=downstream&batches=each',
    );
    expect(graph).toMatchObject({
      root: { kind: 'dataset-version', id: 'credit-applications@2026-01' },
      asOf: null,
      depth: 4,
      direction: 'downstream',
      truncated: false,
    });
    expect(graph.nodes[0]).toMatchObject({
      kind: 'dataset-version',
      id: 'credit-applications@2026-01',
      facts: {
        contentHash: sha('01'),
        region: 'ap-southeast-2',
        containsPersonalInformation: true,
        status: 'active',
      },
      eventIds: [expect.any(String)],
    });
    expect(names(graph)).toEqual(
      [
        'dataset-version credit-applications@2026-01',
        'dataset-version credit-applications@2026-02',
        `training-run ${ids.runA}`,
        `training-run ${ids.runB}`,
        'model-version credit-risk@1.0.0',
        'model-version credit-risk@1.1.0',
        'deployment credit-risk.staging',
        'deployment credit-risk.production',
        `prediction-batch ${ids.batch1}`,
        `prediction-batch ${ids.batch2}`,
        `prediction-batch ${ids.batch3}`,
      ].sort(),
    );
    expect(links(graph)).toEqual(
      expect.arrayContaining([
        'credit-applications@2026-01 -derived-into-> credit-applications@2026-02',
        `credit-applications@2026-01 -trained-> ${ids.runA}`,
        `${ids.runA} -produced-> credit-risk@1.0.0`,
        'credit-risk@1.0.0 -deployed-to-> credit-risk.production',
        'credit-risk@1.0.0 -restored-to-> credit-risk.production',
        `credit-risk.production -scored-> ${ids.batch1}`,
        `credit-risk@1.1.0 -scored-> ${ids.batch2}`,
      ]),
    );
    const run = node(graph, ids.runA);
    expect(run?.facts).toMatchObject({
      model: 'credit-risk',
      status: 'completed',
      codeCommit: 'c0ffee100',
      artifactDigest: versionArtifact('1.0.0').digest,
    });
    expect(run?.eventIds).toHaveLength(2);
    expect(node(graph, 'credit-risk@1.0.0')?.facts).toMatchObject({
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      artifactDigest: versionArtifact('1.0.0').digest,
    });
    expect(node(graph, 'credit-risk.production')?.facts).toMatchObject({
      environment: 'production',
      version: '1.0.0',
      status: 'active',
      approvalId: ids.approvalA,
    });
    expect(node(graph, ids.batch3)?.facts).toMatchObject({
      count: 1000,
      version: '1.0.0',
      window: { from: '2026-03-11T00:00:00.000Z', to: '2026-03-11T01:00:00.000Z' },
    });
    // Every edge points downstream from a node the walk had already reached.
    for (const edge of graph.edges) {
      expect(graph.nodes.some((entry) => entry.id === edge.from.id)).toBe(true);
      expect(graph.nodes.some((entry) => entry.id === edge.to.id)).toBe(true);
    }
  });

  it('follows a prediction batch upstream to the datasets, read by any role', async () => {
    const graph = await lineage(`/lineage/prediction-batch/${ids.batch2}?direction=upstream`, 'ci');
    expect(names(graph)).toEqual(
      expect.arrayContaining([
        'dataset-version credit-applications@2026-01',
        'dataset-version credit-applications@2026-02',
        'dataset-version credit-holdout@2026-01',
        `training-run ${ids.runB}`,
        'model-version credit-risk@1.1.0',
        'deployment credit-risk.production',
      ]),
    );
    expect(names(graph)).not.toContain(`prediction-batch ${ids.batch1}`);
    expect(links(graph)).toEqual(
      expect.arrayContaining([
        `credit-risk@1.1.0 -scored-> ${ids.batch2}`,
        `credit-risk.production -scored-> ${ids.batch2}`,
        `${ids.runB} -produced-> credit-risk@1.1.0`,
        `credit-applications@2026-02 -trained-> ${ids.runB}`,
        'credit-holdout@2026-01 -evaluated-> credit-risk@1.1.0',
      ]),
    );
    // Both ways from a model version: its inputs, and its outputs (batches through its deployments).
    const both = await lineage('/lineage/model-version/credit-risk@1.1.0?depth=2&batches=each');
    expect(names(both)).toEqual(
      [
        'model-version credit-risk@1.1.0',
        `training-run ${ids.runB}`,
        'dataset-version credit-applications@2026-02',
        'dataset-version credit-holdout@2026-01',
        'deployment credit-risk.staging',
        'deployment credit-risk.production',
        `prediction-batch ${ids.batch1}`,
        `prediction-batch ${ids.batch2}`,
        `prediction-batch ${ids.batch3}`,
      ].sort(),
    );
    expect(both.nodes[0].id).toBe('credit-risk@1.1.0');
  });

  it('cuts the graph at the depth asked for', async () => {
    const root =
      '/lineage/dataset-version/credit-applications@2026-01?direction=downstream&batches=each';
    const one = await lineage(`${root}&depth=1`);
    expect(names(one)).toEqual(
      [
        'dataset-version credit-applications@2026-01',
        'dataset-version credit-applications@2026-02',
        `training-run ${ids.runA}`,
      ].sort(),
    );
    expect(one.edges).toHaveLength(2);
    const two = await lineage(`${root}&depth=2`);
    expect(names(two)).toEqual(
      [...names(one), `training-run ${ids.runB}`, 'model-version credit-risk@1.0.0'].sort(),
    );
    const three = await lineage(`${root}&depth=3`);
    expect(names(three)).not.toContain(`prediction-batch ${ids.batch2}`);
    expect(names(three)).toContain(`prediction-batch ${ids.batch1}`);
    const capped = await lineage(`${root}&limit=4`);
    expect(capped.nodes).toHaveLength(4);
    expect(capped.truncated).toBe(true);
  });

  it('shows the graph as it was before, between and after the changes', async () => {
    const path = (asOf: string) =>
      `/lineage/dataset-version/credit-applications@2026-01?direction=downstream&batches=each&asOf=${encodeURIComponent(asOf)}`;

    const missing = await get(path('2026-01-04T00:00:00Z')).expect(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM);
    expect(missing.body).toMatchObject({ code: 'not-found', asOf: '2026-01-04T00:00:00.000Z' });

    const january = await lineage(path('2026-01-05T09:00:00Z'));
    expect(names(january)).toEqual(['dataset-version credit-applications@2026-01']);
    expect(january.asOf).toBe('2026-01-05T09:00:00.000Z');

    // Mid-February: 1.0.0 in production on the first approval, one batch; no second run yet
    const february = await lineage(path('2026-02-10T00:00:00Z'));
    expect(names(february)).toEqual(
      [
        'dataset-version credit-applications@2026-01',
        'dataset-version credit-applications@2026-02',
        `training-run ${ids.runA}`,
        'model-version credit-risk@1.0.0',
        'deployment credit-risk.staging',
        'deployment credit-risk.production',
        `prediction-batch ${ids.batch1}`,
      ].sort(),
    );
    expect(node(february, 'credit-risk.production')).toMatchObject({
      facts: { version: '1.0.0', approvalId: ids.approvalA },
      eventIds: [expect.any(String)],
    });
    for (const edge of february.edges)
      expect(Date.parse(edge.occurredAt)).toBeLessThanOrEqual(Date.parse('2026-02-10T00:00:00Z'));

    // Early March: 1.1.0 serves production on the second approval; not yet rolled back
    const march = await lineage(path('2026-03-05T00:00:00+11:00'));
    expect(node(march, 'credit-risk.production')).toMatchObject({
      facts: { version: '1.1.0', approvalId: ids.approvalB },
    });
    expect(node(march, 'credit-risk.production')?.eventIds).toHaveLength(2);
    expect(names(march)).toContain(`prediction-batch ${ids.batch2}`);
    expect(names(march)).not.toContain(`prediction-batch ${ids.batch3}`);
    expect(links(march)).not.toContain('credit-risk@1.0.0 -restored-to-> credit-risk.production');

    // After everything: the rollback restored 1.0.0 with its own approval; same as "now"
    const later = await lineage(path('2026-12-31T00:00:00Z'));
    const now = await lineage(
      '/lineage/dataset-version/credit-applications@2026-01?direction=downstream&batches=each',
    );
    expect(node(later, 'credit-risk.production')).toMatchObject({
      facts: { version: '1.0.0', approvalId: ids.approvalA },
    });
    expect(node(later, 'credit-risk.production')?.eventIds).toHaveLength(3);
    expect({ ...later, asOf: null }).toEqual(now);
  });

  it('summarises prediction batches on the nodes that scored them, unless asked for each', async () => {
    // As of whole days, and of instants inside a batch's day, before it and at it (a day's
    // tally counts only up to the instant).
    const instants = [
      '',
      '&asOf=2026-02-10T00:00:00Z',
      '&asOf=2026-03-05T00:00:00Z',
      '&asOf=2026-03-02T08:59:59.999Z',
      '&asOf=2026-03-02T09:00:00Z',
    ];
    for (const asOf of instants) {
      const root = `/lineage/dataset-version/credit-applications@2026-01?direction=downstream${asOf}`;
      const summary = await lineage(root);
      const each = await lineage(`${root}&batches=each`);
      expect(names(summary)).toEqual(names(each).filter((n) => !n.startsWith('prediction-batch')));
      expect(summary.edges.filter((e) => e.relation === 'scored')).toEqual([]);
      const summarised = summary.nodes.filter((n) => n.predictionBatches !== undefined);
      expect(summarised.length).toBeGreaterThan(/02-10|08:59/.test(asOf) ? 1 : 2);
      for (const scorer of summary.nodes) {
        const scored = each.edges
          .filter((e) => e.relation === 'scored' && e.from.id === scorer.id)
          .map((e) => e.occurredAt)
          .sort();
        expect({ node: scorer.id, asOf, batches: scorer.predictionBatches }).toEqual({
          node: scorer.id,
          asOf,
          batches:
            scored.length === 0
              ? undefined
              : {
                  count: scored.length,
                  firstRecordedAt: scored[0],
                  lastRecordedAt: scored[scored.length - 1],
                },
        });
      }
    }
    const now = await lineage(
      '/lineage/dataset-version/credit-applications@2026-01?direction=downstream',
    );
    expect(node(now, 'credit-risk.production')?.predictionBatches?.count).toBe(3);
    // A batch as the root is itself, and its upstream is unchanged.
    const batch = await lineage(`/lineage/prediction-batch/${ids.batch2}?direction=upstream`);
    expect(names(batch)).toContain(`prediction-batch ${ids.batch2}`);
    const refused = await get('/lineage/deployment/credit-risk.production?batches=all').expect(400);
    expect(Object.keys(refused.body.errors)).toEqual(['batches']);
  });

  it('refuses an unknown kind or a malformed id or parameter with 400 naming the field, and an unknown node with 404', async () => {
    const cases: [string, string][] = [
      ['/lineage/dataset/credit-applications@2026-01', 'kind'],
      ['/lineage/model-version/credit-risk', 'id'],
      ['/lineage/deployment/credit-risk', 'id'],
      ['/lineage/training-run/not-a-uuid', 'id'],
      ['/lineage/model-version/credit-risk@1.0.0?depth=0', 'depth'],
      ['/lineage/model-version/credit-risk@1.0.0?depth=11', 'depth'],
      ['/lineage/model-version/credit-risk@1.0.0?direction=sideways', 'direction'],
      ['/lineage/model-version/credit-risk@1.0.0?asOf=2026-03-01', 'asOf'],
      ['/lineage/model-version/credit-risk@1.0.0?asOf=2026-02-30T00:00:00Z', 'asOf'],
      ['/lineage/model-version/credit-risk@1.0.0?colour=red', 'colour'],
    ];
    for (const [path, field] of cases) {
      const response = await get(path);
      expect({
        path,
        status: response.status,
        fields: Object.keys(response.body.errors ?? {}),
      }).toEqual({ path, status: 400, fields: [field] });
      expect(response.headers['content-type']).toMatch(PROBLEM);
    }
    const unknown = await get('/lineage/model-version/credit-risk@9.9.9').expect(404);
    expect(unknown.body).toMatchObject({
      code: 'not-found',
      kind: 'model-version',
      id: 'credit-risk@9.9.9',
    });
    await get(`/lineage/training-run/${ids.runA.toUpperCase()}`).expect(200);
    await test.anonymous().get('/api/v1/lineage/model-version/credit-risk@1.0.0').expect(401);
  });

  it('gives the same answers after the lineage projection is rebuilt from the ledger', async () => {
    const paths = [
      '/lineage/dataset-version/credit-applications@2026-01',
      `/lineage/prediction-batch/${ids.batch3}?depth=10&direction=upstream`,
      '/lineage/deployment/credit-risk.production?asOf=2026-03-05T00:00:00Z',
      '/lineage/model-version/credit-risk@1.0.0?depth=1&asOf=2026-02-01T09:00:00Z',
    ];
    const before = await Promise.all(paths.map((path) => lineage(path)));
    await test.runner.stop();
    await test.runner.rebuild(['lineage']);
    await test.runner.start();
    const after = await Promise.all(paths.map((path) => lineage(path)));
    expect(after).toEqual(before);
  });
});
