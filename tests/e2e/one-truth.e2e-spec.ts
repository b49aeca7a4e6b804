import { binary, flowing, pdfText } from '../support/pdf';
import { recordPassingServiceEvaluation } from '../support/service-evaluation-fixture';
import { STAFF } from '../support/staff';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

type Body = Record<string, unknown>;
type Share = { deploymentId: string; environment: string; role: string; percent: number };
type Row = {
  deploymentId: string;
  environment: string;
  status: string;
  version: string | null;
  canaryVersion: string | null;
  canaryPercent: number | null;
};

/** What every view must agree on about a version at one instant. */
type Truth = {
  status: string;
  serving: Share[];
  history: { deploymentId: string; strategy: string; started: string; ended: string | null }[];
  firstDeployedAt: string | null;
  lastServedUntil: string | null;
};

const MODEL = 'credit-risk';
const VERSION = '1.0.0';
const sha = (fill: string) => `sha256:${fill.repeat(64).slice(0, 64)}`;

const shares = (list: Share[]): Share[] =>
  list
    .map(({ deploymentId, environment, role, percent }) => ({
      deploymentId,
      environment,
      role,
      percent,
    }))
    .sort((a, b) => a.deploymentId.localeCompare(b.deploymentId));

/** Where the version serves, read off deployments as `GET /deployments` lists them. */
function servingFromRows(rows: Row[]): Share[] {
  return shares(
    rows.flatMap((row): Share[] => {
      if (row.status !== 'active') return [];
      const { deploymentId, environment } = row;
      const canary = row.canaryVersion ? (row.canaryPercent ?? 0) : 0;
      if (row.version === VERSION)
        return [{ deploymentId, environment, role: 'primary', percent: 100 - canary }];
      if (row.canaryVersion === VERSION)
        return [{ deploymentId, environment, role: 'canary', percent: canary }];
      return [];
    }),
  );
}

/** The ASIC inventory's stage for a status, as reports/README.md and the README state it. */
function stageOf(truth: Truth): string {
  if (truth.status === 'deployed' || truth.status === 'retired') return truth.status;
  if (truth.history.length > 0) return 'previously deployed';
  return truth.status === 'approved' ? 'approved' : 'in development';
}

/**
 * One model version walked through approval, a canary, its promotion, a rollback to nothing, a
 * staging rollout and that deployment's retirement, and its own retirement. At every step the
 * version view, the model view, its lineage node, the ASIC inventory (JSON and PDF), the `asOf`
 * views and the deployment lists must state the same status and serving state; and afterwards the
 * `asOf` views (and the ASIC report of each day) must state again what was true then.
 */
describe('one truth per fact: every view of a model version agrees', () => {
  const time = new TestClock('2026-03-01T09:00:00.000Z');
  let test: TestApp;
  const tokens = new Map<string, string>();
  let position = '';
  let approvalId = '';
  /** The truth recorded after each step, with its instant and its day. */
  const recorded: { step: string; at: string; truth: Truth }[] = [];

  const as = (who: string) => `Bearer ${tokens.get(who)}`;
  async function send(at: string, who: string, path: string, body: object) {
    time.set(at);
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', as(who))
      .send(body);
    expect({ path, status: response.status, body: response.body }).toMatchObject({
      path,
      status: 201,
    });
    position = response.body.ledgerPosition;
    return response.body as { id: string };
  }
  const get = (path: string, who = 'rita') =>
    test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', as(who))
      .set('X-Ledger-Position', position);
  const read = async <T = Body>(path: string): Promise<T> => (await get(path).expect(200)).body;

  const versionPath = `/models/${MODEL}/versions/${VERSION}`;
  const lineagePath = `/lineage/model-version/${MODEL}@${VERSION}?depth=1`;
  const reportPath = (to = '2026-12-31') =>
    `/compliance/reports/asic-model-governance?from=2026-01-01&to=${to}&model=${MODEL}`;

  type VersionView = Body & {
    status: string;
    deployments: Share[];
    deploymentHistory: Truth['history'];
    firstDeployedAt: string | null;
    lastServedUntil: string | null;
  };
  const truthOfVersionView = (view: VersionView): Truth => ({
    status: view.status,
    serving: shares(view.deployments),
    history: view.deploymentHistory.map(({ deploymentId, strategy, started, ended }) => ({
      deploymentId,
      strategy,
      started,
      ended,
    })),
    firstDeployedAt: view.firstDeployedAt,
    lastServedUntil: view.lastServedUntil,
  });

  async function lineageFacts(asOf?: string) {
    const graph = await read<{ nodes: { kind: string; facts: Body }[] }>(
      asOf ? `${lineagePath}&asOf=${asOf}` : lineagePath,
    );
    const facts = graph.nodes[0].facts as Body & { serving: Share[] };
    return {
      status: facts.status,
      serving: shares(facts.serving),
      firstDeployedAt: facts.firstDeployedAt,
      lastServedUntil: facts.lastServedUntil,
    };
  }

  async function inventoryEntry(to?: string) {
    const report = await read<{ inventory: (Body & { version: string; serving: Share[] })[] }>(
      reportPath(to),
    );
    const entry = report.inventory.find((item) => item.version === VERSION);
    if (!entry) throw new Error(`${VERSION} is missing from the inventory`);
    return {
      stage: entry.stage,
      environments: entry.environments,
      serving: shares(entry.serving),
      firstDeployedAt: entry.firstDeployedAt,
      lastServedUntil: entry.lastServedUntil,
    };
  }

  const asInventory = (truth: Truth) => ({
    stage: stageOf(truth),
    environments: [...new Set(truth.serving.map((share) => share.environment))].sort(),
    serving: truth.serving,
    firstDeployedAt: truth.firstDeployedAt,
    lastServedUntil: truth.lastServedUntil,
  });
  const asLineage = (truth: Truth) => ({
    status: truth.status,
    serving: truth.serving,
    firstDeployedAt: truth.firstDeployedAt,
    lastServedUntil: truth.lastServedUntil,
  });

  /** Reads every view now, checks they agree with each other and with what the step expects. */
  async function expectAgreement(step: string, expected: Pick<Truth, 'status' | 'serving'>) {
    const at = time.iso();
    const truth = truthOfVersionView(await read<VersionView>(versionPath));
    expect({ step, ...truth }).toMatchObject({
      step,
      ...expected,
      serving: shares(expected.serving),
    });

    const model = await read<{
      versions: { version: string; status: string }[];
      deployments: Row[];
    }>(`/models/${MODEL}`);
    expect({ step, status: model.versions.find((v) => v.version === VERSION)?.status }).toEqual({
      step,
      status: truth.status,
    });
    expect({ step, serving: servingFromRows(model.deployments) }).toEqual({
      step,
      serving: truth.serving,
    });

    const asOf = truthOfVersionView(await read<VersionView>(`${versionPath}?asOf=${at}`));
    expect({ step, ...asOf }).toEqual({ step, ...truth });

    expect({ step, ...(await lineageFacts()) }).toEqual({ step, ...asLineage(truth) });
    expect({ step, ...(await lineageFacts(at)) }).toEqual({ step, ...asLineage(truth) });

    expect({ step, ...(await inventoryEntry()) }).toEqual({ step, ...asInventory(truth) });

    const list = await read<{ items: Row[] }>(`/deployments?model=${MODEL}`);
    expect({ step, serving: servingFromRows(list.items) }).toEqual({
      step,
      serving: truth.serving,
    });
    const listAsOf = await read<{ items: (Row & { serving: (Share & { version: string })[] })[] }>(
      `/deployments?model=${MODEL}&asOf=${at}`,
    );
    const servingAsOf = listAsOf.items.flatMap((row) =>
      row.serving
        .filter((entry) => entry.version === VERSION)
        .map((entry) => ({
          ...entry,
          deploymentId: row.deploymentId,
          environment: row.environment,
        })),
    );
    expect({ step, serving: shares(servingAsOf) }).toEqual({ step, serving: truth.serving });

    recorded.push({ step, at, truth });
    return truth;
  }

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
    for (const [sub, roles] of STAFF) tokens.set(sub, await test.token(sub, roles));
    await send('2026-03-01T09:00:00Z', 'ci', '/datasets/credit-applications/versions', {
      version: '2026-02',
      contentHash: sha('c1'),
      rows: 1000,
      schema: [{ name: 'income', type: 'number', personal: false, sensitive: false }],
      location: 's3://lake/credit/2026-02.parquet',
      region: 'ap-southeast-2',
    });
    const run = await send('2026-03-01T09:01:00Z', 'ci', '/training-runs', {
      model: MODEL,
      datasetVersions: [{ name: 'credit-applications', version: '2026-02' }],
      code: { repository: 'git@bank.example:risk/credit.git', commit: 'a1b2c3d4e5f6' },
      algorithm: 'gradient-boosted trees',
      hyperparameters: { depth: 6 },
    });
    await send('2026-03-01T09:02:00Z', 'ci', `/training-runs/${run.id}/completion`, {
      metrics: { auc: 0.82 },
      validationApproach: 'out-of-time holdout',
      artifact: {
        uri: 's3://models/credit-risk/1.0.0.onnx',
        digest: versionArtifact(VERSION).digest,
        format: 'onnx',
      },
    });
    await send('2026-03-01T09:03:00Z', 'dana', `/models/${MODEL}/versions`, {
      version: VERSION,
      runId: run.id,
      riskTier: 'medium',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer consumer credit applications',
      intendedUse: 'pre-screening of unsecured personal loans',
      limitations: ['not for small-business lending'],
      owner: 'head-of-credit-risk',
    });
    time.set('2026-03-01T09:03:30Z');
    position = (
      await storeVersionArtifact(test, as('dana'), { model: MODEL, version: VERSION, tag: VERSION })
    ).ledgerPosition;
    await send('2026-03-01T09:04:00Z', 'ci', `${versionPath}/evaluations`, {
      datasetVersion: { name: 'credit-applications', version: '2026-02' },
      metrics: { auc: 0.81 },
      fairness: [],
      verdict: 'pass',
    });
    // The approval gate asks for a passing evaluation Attest computed for production.
    time.set('2026-03-01T09:04:30Z');
    position = (
      await recordPassingServiceEvaluation(test.eventLog, {
        model: MODEL,
        version: VERSION,
        environment: 'production',
        riskTier: 'medium',
        datasetVersion: { name: 'credit-applications', version: '2026-02', contentHash: sha('c1') },
        artifactDigest: versionArtifact(VERSION).digest,
        evaluatedAt: '2026-03-01T09:04:30.000Z',
      })
    ).appended.position;
    const approval = await send(
      '2026-03-01T09:05:00Z',
      'dana',
      `${versionPath}/approval-requests`,
      {
        environment: 'production',
      },
    );
    approvalId = approval.id;
    await send('2026-03-01T09:06:00Z', 'rick', `/approvals/${approvalId}/decisions`, {
      decision: 'grant',
    });
  }, 120_000);
  afterAll(() => test?.close());

  const production = 'credit-risk.production';
  const staging = 'credit-risk.staging';

  it('agrees while the version is approved and has never served', async () => {
    const truth = await expectAgreement('approved', { status: 'approved', serving: [] });
    expect(truth).toMatchObject({ history: [], firstDeployedAt: null, lastServedUntil: null });
  });

  it('agrees while a canary of it takes 10% of production', async () => {
    await send('2026-03-02T09:00:00Z', 'rick', '/deployments', {
      model: MODEL,
      version: VERSION,
      environment: 'production',
      strategy: 'canary',
      canaryPercent: 10,
      approvalId,
    });
    const truth = await expectAgreement('canary', {
      status: 'deployed',
      serving: [
        { deploymentId: production, environment: 'production', role: 'canary', percent: 10 },
      ],
    });
    expect(truth.history).toEqual([
      { deploymentId: production, strategy: 'canary', started: 'deployed', ended: null },
    ]);
    expect(truth.firstDeployedAt).toBe('2026-03-02T09:00:00.000Z');
  });

  it('agrees once the canary is promoted to all traffic', async () => {
    await send('2026-03-03T09:00:00Z', 'rick', `/deployments/${production}/promotion`, {});
    const truth = await expectAgreement('promoted', {
      status: 'deployed',
      serving: [
        { deploymentId: production, environment: 'production', role: 'primary', percent: 100 },
      ],
    });
    expect(truth.history).toEqual([
      { deploymentId: production, strategy: 'canary', started: 'deployed', ended: 'promoted' },
      { deploymentId: production, strategy: 'full', started: 'promoted', ended: null },
    ]);
  });

  it('agrees after the rollback, when nothing serves it: previously deployed, with its dates', async () => {
    await send('2026-03-04T09:00:00Z', 'rick', `/deployments/${production}/rollback`, {
      reason: 'approval rate fell below the floor',
      automatic: false,
    });
    const truth = await expectAgreement('rolled back', { status: 'approved', serving: [] });
    expect(truth).toMatchObject({
      firstDeployedAt: '2026-03-02T09:00:00.000Z',
      lastServedUntil: '2026-03-04T09:00:00.000Z',
    });
    expect(truth.history.map((spell) => spell.ended)).toEqual(['promoted', 'rolled-back']);

    // The PDF states what the JSON does.
    const response = await get(`${reportPath()}&format=pdf`).buffer(true).parse(binary).expect(200);
    const text = flowing((await pdfText(response.body as Buffer)).text);
    expect(text).toContain('previously deployed');
    expect(text).toContain('none now first deployed 2026-03-02 served until 2026-03-04');
    expect(text).not.toMatch(/credit-risk 1\.0\.0 deployed/);
  }, 120_000);

  it('agrees while it serves staging again, and after that deployment is retired', async () => {
    await send('2026-03-05T09:00:00Z', 'rick', '/deployments', {
      model: MODEL,
      version: VERSION,
      environment: 'staging',
      strategy: 'full',
    });
    const serving = await expectAgreement('staging', {
      status: 'deployed',
      serving: [{ deploymentId: staging, environment: 'staging', role: 'primary', percent: 100 }],
    });
    expect(serving.lastServedUntil).toBeNull();

    await send('2026-03-06T09:00:00Z', 'rick', `/deployments/${staging}/retirement`, {
      reason: 'staging moves to the shared platform',
    });
    const gone = await expectAgreement('staging retired', { status: 'approved', serving: [] });
    expect(gone.history.map((spell) => [spell.deploymentId, spell.ended])).toEqual([
      [production, 'promoted'],
      [production, 'rolled-back'],
      [staging, 'retired'],
    ]);
    expect(gone.lastServedUntil).toBe('2026-03-06T09:00:00.000Z');
  }, 120_000);

  it('agrees once the version itself is retired', async () => {
    await send('2026-03-07T09:00:00Z', 'dana', `${versionPath}/retirement`, {
      reason: 'superseded',
    });
    const truth = await expectAgreement('retired', { status: 'retired', serving: [] });
    expect(truth.history).toHaveLength(3);
  });

  it('states again, as of each step, what every view said then (the ASIC report as of each day)', async () => {
    expect(recorded.map((entry) => entry.step)).toEqual([
      'approved',
      'canary',
      'promoted',
      'rolled back',
      'staging',
      'staging retired',
      'retired',
    ]);
    for (const { step, at, truth } of recorded) {
      const asOf = truthOfVersionView(await read<VersionView>(`${versionPath}?asOf=${at}`));
      expect({ step, ...asOf }).toEqual({ step, ...truth });
      expect({ step, ...(await lineageFacts(at)) }).toEqual({ step, ...asLineage(truth) });
      const model = await read<{ versions: { version: string; status: string }[] }>(
        `/models/${MODEL}?asOf=${at}`,
      );
      expect({ step, status: model.versions[0].status }).toEqual({ step, status: truth.status });
      // Each step is the last of its day, so the report ending that day states it.
      expect({ step, ...(await inventoryEntry(at.slice(0, 10))) }).toEqual({
        step,
        ...asInventory(truth),
      });
    }
  }, 120_000);

  it('states the same once the projections behind the views are rebuilt from the ledger', async () => {
    const everything = async () => ({
      version: await read(versionPath),
      model: await read(`/models/${MODEL}`),
      lineage: await read(lineagePath),
      inventory: await inventoryEntry(),
      deployments: await read(`/deployments?model=${MODEL}`),
      asOf: await Promise.all(recorded.map(({ at }) => read(`${versionPath}?asOf=${at}`))),
    });
    const live = await everything();
    await test.runner.rebuild([
      'deployment-timeline',
      'deployments',
      'model-registry',
      'approvals',
      'lineage',
    ]);
    expect(await everything()).toEqual(live);
    expect(truthOfVersionView(live.version as VersionView)).toEqual(recorded.at(-1)?.truth);
  }, 120_000);
});
