import { GovernanceClient } from '../support/governance-client';
import { staffWith } from '../support/staff';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

const sha = (fill: string) => `sha256:${fill.repeat(64).slice(0, 64)}`;
const DEPLOYMENT = 'credit-risk.staging';

type Written = { id: string; ledgerPosition: string; eventIds: string[]; alertId?: string | null };
type Bucket = {
  start: string;
  volume: number;
  batches: number;
  volumeByVersion: Record<string, number>;
  decisions: Record<string, number | null>;
  outputDistribution: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number } | null;
  groundTruth: {
    records: number;
    labelled: number;
    metrics: Record<string, number>;
    groundTruthIds: string[];
  } | null;
};

/**
 * A staging deployment's monitoring over four simulated days, seeded through the API: batches
 * from two versions, ground truth, a drift breach that raises an alert, a rollback, a late
 * performance check, an operational alert; then the buckets, the timeline and the alert views.
 */
describe('monitoring views and alerts over HTTP', () => {
  const time = new TestClock('2026-01-05T09:00:00.000Z');
  let test: TestApp;
  let api: GovernanceClient;
  const batchIds: string[] = [];
  let drift: Written;
  let driftEventId: string;
  let performance: Written;
  let operational: Written;

  /** A write whose answer the test inspects itself (refusals). */
  const post = (who: string, path: string, body: object) =>
    test.anonymous().post(`/api/v1${path}`).set('Authorization', api.bearer(who)).send(body);
  const send = (who: string, path: string, body: object, status = 201) =>
    api.send<Written>(who, path, body, { status });
  const get = (who: string, path: string) => api.get(who, path);
  const read = async (who: string, path: string) => (await get(who, path).expect(200)).body;

  const batch = (version: string, from: string, to: string, figures: object) =>
    send('ci', `/deployments/${DEPLOYMENT}/prediction-batches`, {
      version,
      window: { from, to },
      inputDigest: sha(`${batchIds.length}e`),
      featureSummaries: [{ feature: 'annual_income', mean: 84000, stddev: 21000, missing: 0 }],
      ...figures,
    }).then((written) => {
      batchIds.push(written.id);
      return written;
    });

  async function trainAndRegister(version: string) {
    const run = await send('ci', '/training-runs', {
      model: 'credit-risk',
      datasetVersions: [{ name: 'credit-applications', version: '2026-01' }],
      code: { repository: 'git@bank.example:risk/credit.git', commit: 'a1b2c3d4e5f6' },
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
    await send('dana', '/models/credit-risk/versions', {
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
    await storeVersionArtifact(test, api.bearer('dana'), {
      model: 'credit-risk',
      version,
      tag: version,
    });
  }

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
    api = new GovernanceClient(test);
    await api.signIn(staffWith(['monitor', ['pipeline']]));

    await send('ci', '/datasets/credit-applications/versions', {
      version: '2026-01',
      contentHash: sha('c1'),
      rows: 250_000,
      schema: [{ name: 'loan_term', type: 'number', personal: false, sensitive: false }],
      location: 's3://lake/credit/2026-01.parquet',
      region: 'ap-southeast-2',
      lawfulBasis: 'necessary to assess the credit application (APP 3.2)',
      collectionNotice: 'https://bank.example/privacy/credit-notice-v5',
      purpose: 'credit assessment',
      retention: 'P7Y',
      piaId: 'PIA-2026-031',
    });
    await trainAndRegister('1.0.0');
    await trainAndRegister('1.1.0');

    // 5 January: 1.0.0 goes to staging (a risk manager needs no approval there); two hourly batches
    await send('rick', '/deployments', {
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'staging',
      strategy: 'full',
    });
    await batch('1.0.0', '2026-01-05T10:00:00Z', '2026-01-05T11:00:00Z', {
      count: 1000,
      outputDistribution: { approve: 600, refer: 300, decline: 100 },
      latencyMs: { p50: 10, p95: 30, p99: 50 },
      decisions: { automated: 700, referred: 300 },
    });
    await batch('1.0.0', '2026-01-05T11:00:00Z', '2026-01-05T12:00:00Z', {
      count: 3000,
      outputDistribution: { approve: 2000, refer: 600, decline: 400 },
      latencyMs: { p50: 20, p95: 40, p99: 90 },
      decisions: { automated: 2400, referred: 600 },
    });

    // 6 January: 1.1.0 replaces it, drifts, and is rolled back
    time.set('2026-01-06T09:00:00.000Z');
    await send('rick', '/deployments', {
      model: 'credit-risk',
      version: '1.1.0',
      environment: 'staging',
      strategy: 'full',
    });
    await batch('1.1.0', '2026-01-06T10:00:00Z', '2026-01-06T11:00:00Z', {
      count: 2000,
      outputDistribution: { approve: 1000, refer: 800, decline: 200 },
      latencyMs: { p50: 12, p95: 33, p99: 70 },
      decisions: { automated: 1200, referred: 800 },
    });
    time.set('2026-01-06T12:00:00.000Z');
    drift = await send('monitor', '/monitoring/drift', {
      deploymentId: DEPLOYMENT,
      version: '1.1.0',
      feature: 'annual_income',
      metric: 'psi',
      value: 0.31,
      threshold: 0.25,
      window: { from: '2026-01-06T10:00:00Z', to: '2026-01-06T11:00:00Z' },
      severity: 'high',
    });
    driftEventId = drift.eventIds[0];
    time.set('2026-01-06T13:00:00.000Z');
    await send('rick', `/deployments/${DEPLOYMENT}/rollback`, {
      reason: 'PSI on annual_income above 0.25',
    });
    // A late check of the version taken out: recorded, within its threshold, so no alert
    time.set('2026-01-06T14:00:00.000Z');
    performance = await send('monitor', '/monitoring/performance', {
      deploymentId: DEPLOYMENT,
      version: '1.1.0',
      metric: 'auc',
      value: 0.79,
      threshold: 0.75,
      higherIsBetter: true,
      window: { from: '2026-01-06T10:00:00Z', to: '2026-01-06T11:00:00Z' },
    });

    // 7 January: 1.0.0 serves again; labels arrive for the 5 January batches
    time.set('2026-01-07T08:00:00.000Z');
    await batch('1.0.0', '2026-01-07T00:00:00Z', '2026-01-07T06:00:00Z', {
      count: 500,
      outputDistribution: { approve: 300, refer: 150, decline: 50 },
      latencyMs: { p50: 8, p95: 25, p99: 40 },
      decisions: { automated: 350, referred: 150 },
    });
    await send('ci', `/deployments/${DEPLOYMENT}/ground-truth`, {
      version: '1.0.0',
      batchIds: [batchIds[0]],
      window: { from: '2026-01-05T10:00:00Z', to: '2026-01-05T11:00:00Z' },
      count: 800,
      labelsDigest: sha('a1'),
      metrics: { auc: 0.8 },
    });
    await send('ci', `/deployments/${DEPLOYMENT}/ground-truth`, {
      version: '1.0.0',
      batchIds: [batchIds[1]],
      window: { from: '2026-01-05T11:00:00Z', to: '2026-01-05T12:00:00Z' },
      count: 2400,
      labelsDigest: sha('a2'),
      metrics: { auc: 0.7, defaultRate: 0.04 },
    });

    // 8 January: an operational alert, citing the performance check; the drift alert is resolved
    time.set('2026-01-08T09:00:00.000Z');
    const [performanceEvent] = await test.eventLog.readStream(`monitoring-${DEPLOYMENT}`, {
      fromRevision: 1n,
    });
    operational = await send('rick', '/alerts', {
      deploymentId: DEPLOYMENT,
      severity: 'low',
      kind: 'operational',
      summary: 'scoring latency p99 above 2 s since 08:00',
      causeEventId: performanceEvent.id,
    });
    time.set('2026-01-08T10:00:00.000Z');
    await send('rick', `/alerts/${drift.alertId}/resolution`, {
      resolution: 'rolled back to 1.0.0; retraining on January data',
    });
  });
  afterAll(() => test.close());

  const dailyView = () =>
    read(
      'rita',
      `/monitoring/deployments/${DEPLOYMENT}?from=2026-01-05T00:00:00Z&to=2026-01-09T00:00:00Z`,
    );

  it('answers a drift breach with the signal and an alert, and a calm check with no alert', async () => {
    expect(drift).toMatchObject({ id: expect.any(String), alertId: expect.any(String) });
    expect(drift.eventIds).toHaveLength(2);
    expect(performance).toMatchObject({ alertId: null });
    expect(performance.eventIds).toHaveLength(1);
    const signals = await test.eventLog.readStream(`monitoring-${DEPLOYMENT}`);
    expect(signals.map((event) => [event.type, event.data.breached])).toEqual([
      ['DriftDetected', true],
      ['PerformanceDegraded', false],
    ]);
    const [raised] = await test.eventLog.readStream(`alert-${drift.alertId}`);
    expect(raised).toMatchObject({
      type: 'AlertRaised',
      data: { kind: 'drift', severity: 'high', causeEventId: driftEventId, raisedBy: 'monitor' },
      metadata: { occurredAt: '2026-01-06T12:00:00.000Z' },
    });
  });

  it('sums each day’s batches: volume, shares, outputs, latency and ground truth', async () => {
    const view = await dailyView();
    expect(view).toMatchObject({
      deploymentId: DEPLOYMENT,
      model: 'credit-risk',
      environment: 'staging',
      status: 'active',
      version: '1.0.0',
      bucket: 'day',
      from: '2026-01-05T00:00:00.000Z',
      to: '2026-01-09T00:00:00.000Z',
    });
    const buckets = view.buckets as Bucket[];
    expect(buckets.map((b) => [b.start, b.volume, b.batches])).toEqual([
      ['2026-01-05T00:00:00.000Z', 4000, 2],
      ['2026-01-06T00:00:00.000Z', 2000, 1],
      ['2026-01-07T00:00:00.000Z', 500, 1],
      ['2026-01-08T00:00:00.000Z', 0, 0],
    ]);
    expect(buckets[0]).toMatchObject({
      volumeByVersion: { '1.0.0': 4000 },
      decisions: { automated: 3100, referred: 900, automatedShare: 0.775, referredShare: 0.225 },
      outputDistribution: { approve: 2600, decline: 500, refer: 900 },
      // (10×1000 + 20×3000) / 4000 and (30×1000 + 40×3000) / 4000; the highest p99
      latencyMs: { p50: 17.5, p95: 37.5, p99: 90 },
    });
    // Labels weighted by their counts: auc (0.8×800 + 0.7×2400) / 3200; defaultRate from one record
    expect(buckets[0].groundTruth).toMatchObject({ records: 2, labelled: 3200 });
    expect(buckets[0].groundTruth?.metrics.auc).toBeCloseTo(0.725, 6);
    expect(buckets[0].groundTruth?.metrics.defaultRate).toBeCloseTo(0.04, 6);
    expect(buckets[1]).toMatchObject({
      volumeByVersion: { '1.1.0': 2000 },
      decisions: { automatedShare: 0.6, referredShare: 0.4 },
      latencyMs: { p50: 12, p95: 33, p99: 70 },
      groundTruth: null,
    });
    expect(buckets[3]).toMatchObject({
      decisions: { automated: 0, referred: 0, automatedShare: null, referredShare: null },
      outputDistribution: {},
      latencyMs: null,
      groundTruth: null,
    });
    expect(view.totals).toMatchObject({
      volume: 6500,
      batches: 4,
      volumeByVersion: { '1.0.0': 4500, '1.1.0': 2000 },
      decisions: { automated: 4650, referred: 1850 },
      outputDistribution: { approve: 3900, decline: 750, refer: 1850 },
      latencyMs: { p99: 90 },
    });
  });

  it('cuts hours when asked, counting a batch in the bucket where its window starts', async () => {
    const view = await read(
      'rita',
      `/monitoring/deployments/${DEPLOYMENT}?from=2026-01-05T10:30:00Z&to=2026-01-05T11:30:00Z&bucket=hour`,
    );
    expect(view).toMatchObject({
      bucket: 'hour',
      from: '2026-01-05T10:00:00.000Z',
      to: '2026-01-05T12:00:00.000Z',
    });
    expect((view.buckets as Bucket[]).map((b) => [b.start, b.volume, b.latencyMs])).toEqual([
      ['2026-01-05T10:00:00.000Z', 1000, { p50: 10, p95: 30, p99: 50 }],
      ['2026-01-05T11:00:00.000Z', 3000, { p50: 20, p95: 40, p99: 90 }],
    ]);
    expect(view.timeline).toEqual([]);
  });

  it('puts deployments, the signal, its alert, the rollback and the resolution on one timeline', async () => {
    const view = await dailyView();
    const timeline = view.timeline as Record<string, unknown>[];
    expect(timeline.map((entry) => [entry.at, entry.type])).toEqual([
      ['2026-01-05T09:00:00.000Z', 'ModelDeployed'],
      ['2026-01-06T09:00:00.000Z', 'ModelDeployed'],
      ['2026-01-06T12:00:00.000Z', 'DriftDetected'],
      ['2026-01-06T12:00:00.000Z', 'AlertRaised'],
      ['2026-01-06T13:00:00.000Z', 'DeploymentRolledBack'],
      ['2026-01-06T14:00:00.000Z', 'PerformanceDegraded'],
      ['2026-01-08T09:00:00.000Z', 'AlertRaised'],
      ['2026-01-08T10:00:00.000Z', 'AlertResolved'],
    ]);
    expect(timeline[2]).toMatchObject({
      eventId: driftEventId,
      actor: 'monitor',
      version: '1.1.0',
      signal: { feature: 'annual_income', metric: 'psi', value: 0.31, breached: true },
    });
    expect(timeline[3]).toMatchObject({ alertId: drift.alertId, severity: 'high', kind: 'drift' });
    expect(timeline[4]).toMatchObject({
      version: '1.1.0',
      toVersion: '1.0.0',
      automatic: false,
      actor: 'rick',
    });
    expect(timeline[5]).toMatchObject({ signal: { metric: 'auc', breached: false } });
    expect(timeline[7]).toMatchObject({ alertId: drift.alertId, actor: 'rick' });
  });

  it('lists alerts open and resolved, filtered and paged, and shows one with its cause', async () => {
    const ids = async (query: string) =>
      ((await read('rita', `/alerts${query}`)).items as { alertId: string }[]).map(
        (a) => a.alertId,
      );
    expect(await ids('')).toEqual([operational.id, drift.alertId]);
    expect(await ids('?status=open')).toEqual([operational.id]);
    expect(await ids('?status=resolved')).toEqual([drift.alertId]);
    expect(await ids('?severity=high&deployment=credit-risk.staging')).toEqual([drift.alertId]);
    expect(await ids('?deployment=credit-risk.production')).toEqual([]);
    expect(await ids('?kind=operational')).toEqual([operational.id]);
    const first = await read('rita', '/alerts?limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await read('rita', `/alerts?limit=1&after=${first.nextCursor}`);
    expect(second.items.map((a: { alertId: string }) => a.alertId)).toEqual([drift.alertId]);

    expect(await read('rita', `/alerts/${drift.alertId}`)).toMatchObject({
      alertId: drift.alertId,
      deploymentId: DEPLOYMENT,
      severity: 'high',
      kind: 'drift',
      status: 'resolved',
      summary: expect.stringContaining('psi of annual_income is 0.31, above the threshold 0.25'),
      causeEventId: driftEventId,
      cause: { signalId: drift.id, kind: 'drift', breached: true, eventId: driftEventId },
      raisedBy: 'monitor',
      raisedAt: '2026-01-06T12:00:00.000Z',
      resolution: 'rolled back to 1.0.0; retraining on January data',
      resolvedBy: 'rick',
      resolvedAt: '2026-01-08T10:00:00.000Z',
    });
    expect(await read('rita', `/alerts/${operational.id}`)).toMatchObject({
      status: 'open',
      cause: { signalId: performance.id, metric: 'auc' },
      resolution: null,
    });
  });

  it('records a repeated signal or resolution once', async () => {
    const before = await test.countEvents();
    const again = await send('monitor', '/monitoring/drift', {
      deploymentId: DEPLOYMENT,
      version: '1.1.0',
      feature: 'annual_income',
      metric: 'psi',
      value: 0.31,
      threshold: 0.25,
      window: { from: '2026-01-06T10:00:00.000Z', to: '2026-01-06T11:00:00.000Z' },
    });
    expect(again).toMatchObject({ id: drift.id, alertId: drift.alertId, eventIds: [] });
    const resolvedAgain = await send('rick', `/alerts/${drift.alertId}/resolution`, {
      resolution: 'rolled back to 1.0.0; retraining on January data',
    });
    expect(resolvedAgain).toMatchObject({ id: drift.alertId, eventIds: [] });
    expect(await test.countEvents()).toBe(before);
  });

  // Regulators' writes are refused on every route (route-access spec); their requests are logged.
  it('refuses what it cannot record, appending nothing', async () => {
    const before = await test.countEvents();
    const signal = {
      deploymentId: DEPLOYMENT,
      version: '1.0.0',
      feature: 'annual_income',
      metric: 'psi',
      value: 0.1,
      threshold: 0.25,
      window: { from: '2026-01-07T00:00:00Z', to: '2026-01-07T06:00:00Z' },
    };
    const refusals: [string, string, object, number, string?, string?][] = [
      ['monitor', '/monitoring/drift', { ...signal, deploymentId: 'fraud.staging' }, 404],
      [
        'monitor',
        '/monitoring/drift',
        { ...signal, version: '9.9.9' },
        422,
        'version-not-deployed',
        'version',
      ],
      [
        'monitor',
        '/monitoring/drift',
        { ...signal, window: { from: signal.window.to, to: signal.window.from } },
        422,
        'invalid-signal',
        'window.to',
      ],
      [
        'monitor',
        '/monitoring/drift',
        { ...signal, feature: undefined },
        400,
        'invalid-request',
        'feature',
      ],
      [
        'monitor',
        '/monitoring/drift',
        { ...signal, severity: 'urgent' },
        400,
        'invalid-request',
        'severity',
      ],
      [
        'monitor',
        '/monitoring/drift',
        {
          ...signal,
          version: '1.1.0',
          window: { from: '2026-01-06T10:00:00Z', to: '2026-01-06T11:00:00Z' },
          value: 0.5,
        },
        409,
        'signal-already-recorded',
      ],
      ['rick', '/monitoring/drift', signal, 403],
      [
        'monitor',
        '/monitoring/performance',
        { ...signal, feature: undefined, metric: 'auc' },
        400,
        'invalid-request',
        'higherIsBetter',
      ],
      [
        'dana',
        '/monitoring/performance',
        { ...signal, feature: undefined, higherIsBetter: true },
        403,
      ],
      [
        'rick',
        '/alerts',
        { deploymentId: 'fraud.staging', severity: 'low', kind: 'operational', summary: 'x' },
        404,
      ],
      [
        'rick',
        '/alerts',
        {
          deploymentId: DEPLOYMENT,
          severity: 'low',
          kind: 'operational',
          summary: 'x',
          causeEventId: '0190f1a2-0000-7000-8000-000000000000',
        },
        422,
        'unknown-cause',
        'causeEventId',
      ],
      [
        'rick',
        '/alerts',
        { deploymentId: DEPLOYMENT, severity: 'low', kind: 'weather', summary: 'x' },
        400,
        'invalid-request',
        'kind',
      ],
      [
        'dana',
        '/alerts',
        { deploymentId: DEPLOYMENT, severity: 'low', kind: 'operational', summary: 'x' },
        403,
      ],
      [
        'rick',
        `/alerts/${drift.alertId}/resolution`,
        { resolution: 'it was a false alarm' },
        409,
        'alert-already-resolved',
      ],
      [
        'rick',
        '/alerts/0190f1a2-0000-7000-8000-000000000000/resolution',
        { resolution: 'done' },
        404,
      ],
      [
        'rick',
        '/alerts/not-an-id/resolution',
        { resolution: 'done' },
        400,
        'invalid-request',
        'id',
      ],
      ['dana', `/alerts/${operational.id}/resolution`, { resolution: 'done' }, 403],
    ];
    for (const [who, path, body, status, code, field] of refusals) {
      const response = await post(who, path, body);
      expect({ who, path, status: response.status }).toEqual({ who, path, status });
      if (code) expect(response.body.code).toBe(code);
      if (field) expect(response.body.errors).toHaveProperty([field]);
    }
    expect(await test.countEvents()).toBe(before);
  });

  it('refuses bad reads: an unknown deployment or alert, a backwards or too long range', async () => {
    await get('rita', '/monitoring/deployments/fraud.staging').expect(404);
    await get('rita', '/alerts/0190f1a2-0000-7000-8000-000000000000').expect(404);
    const bad = async (query: string, field: string) => {
      const response = await get('rita', `/monitoring/deployments/${DEPLOYMENT}${query}`).expect(
        400,
      );
      expect(response.body.errors).toHaveProperty([field]);
    };
    await bad('?from=2026-01-09T00:00:00Z&to=2026-01-05T00:00:00Z', 'to');
    await bad('?from=2020-01-01T00:00:00Z&to=2026-01-05T00:00:00Z&bucket=hour', 'from');
    await bad('?bucket=week', 'bucket');
    await bad('?from=yesterday', 'from');
    const alerts = await get('rita', '/alerts?status=closed').expect(400);
    expect(alerts.body.errors).toHaveProperty(['status']);
  });

  it('shows the last 30 days up to today by default', async () => {
    const view = await read('rita', `/monitoring/deployments/${DEPLOYMENT}`);
    expect(view).toMatchObject({
      bucket: 'day',
      from: '2025-12-10T00:00:00.000Z',
      to: '2026-01-09T00:00:00.000Z',
    });
    expect(view.buckets).toHaveLength(30);
    expect(view.totals.volume).toBe(6500);
  });

  it('gives identical answers after the projections it reads are rebuilt from zero', async () => {
    const paths = [
      `/monitoring/deployments/${DEPLOYMENT}?from=2026-01-05T00:00:00Z&to=2026-01-09T00:00:00Z`,
      `/monitoring/deployments/${DEPLOYMENT}?from=2026-01-05T00:00:00Z&to=2026-01-07T00:00:00Z&bucket=hour`,
      '/alerts',
      `/alerts/${drift.alertId}`,
      `/alerts/${operational.id}`,
    ];
    const before = await Promise.all(paths.map((path) => read('rita', path)));
    await test.runner.rebuild(['monitoring', 'deployments', 'predictions']);
    const after = await Promise.all(paths.map((path) => read('rita', path)));
    expect(after).toEqual(before);
  });

  it('raises the missing alert when a retry finds its breach recorded without one', async () => {
    // As if the first attempt stopped between the signal's append and the alert's
    const signalId = '0190f1a2-0000-7000-8000-00000000a1e7';
    const measured = {
      deploymentId: DEPLOYMENT,
      version: '1.0.0',
      feature: 'loan_term',
      metric: 'psi',
      value: 0.5,
      threshold: 0.2,
      window: { from: '2026-01-07T00:00:00.000Z', to: '2026-01-07T06:00:00.000Z' },
    };
    const appended = {
      id: '0190f1a2-0000-7000-8000-0000000e0e01',
      type: 'DriftDetected',
      data: {
        signalId,
        model: 'credit-risk',
        environment: 'staging',
        ...measured,
        breached: true,
        detectedBy: 'monitor',
        detectedAt: time.iso(),
      },
      metadata: {
        schemaVersion: 1,
        occurredAt: time.iso(),
        actor: { sub: 'monitor', roles: ['pipeline'] },
        correlationId: 'interrupted',
        causationId: 'interrupted',
      },
    };
    await test.eventLog.append(`monitoring-${DEPLOYMENT}`, [appended], { expectedRevision: 'any' });
    const retried = await send('monitor', '/monitoring/drift', measured);
    expect(retried).toMatchObject({ id: signalId, alertId: expect.any(String) });
    expect(retried.eventIds).toHaveLength(1);
    expect(await read('rita', `/alerts/${retried.alertId}`)).toMatchObject({
      kind: 'drift',
      severity: 'medium',
      status: 'open',
      causeEventId: appended.id,
      cause: { signalId, feature: 'loan_term' },
    });
    const again = await send('monitor', '/monitoring/drift', measured);
    expect(again).toMatchObject({ id: signalId, alertId: retried.alertId, eventIds: [] });
  });
});
