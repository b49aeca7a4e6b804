import { type EvidenceBundle, verifyBundle } from '../../src/integrity/evidence-bundle';
import { embeddedFiles } from '../../src/integrity/pdf-attachment';
import { GovernanceClient } from '../support/governance-client';
import { recordServiceRun } from '../support/service-evaluations';
import { binary, flowing, pdfText } from '../support/pdf';
import { STAFF } from '../support/staff';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { TestApp, startTestApp } from '../support/test-app';

const sha = (fill: string) => `sha256:${fill.repeat(64).slice(0, 64)}`;

/**
 * A credit-risk model's whole governed life over HTTP, with real tokens for each person:
 * data → training → registration → evaluation → two-stage approval → canary → production →
 * prediction batches → a second version → rollback → ground truth; every read view follows.
 */
describe('a credit-risk model from dataset to rollback', () => {
  let test: TestApp;
  let api: GovernanceClient;

  const send = (
    who: string,
    method: 'post' | 'put' | 'patch',
    path: string,
    body: object,
    status?: number,
  ) => api.send(who, path, body, { method, status });
  const read = async (who: string, path: string) => (await api.get(who, path).expect(200)).body;

  beforeAll(async () => {
    test = await startTestApp();
    api = new GovernanceClient(test, (who) => `credit-flow-${who}`);
    await api.signIn(STAFF);
  });
  afterAll(() => test.close());

  async function trainAndRegister(version: string, registrant: string) {
    const run = await send('ci', 'post', '/training-runs', {
      model: 'credit-risk',
      datasetVersions: [{ name: 'credit-applications', version: '2026-01' }],
      code: { repository: 'git@bank.example:risk/credit.git', commit: 'a1b2c3d4e5f6' },
      algorithm: 'gradient-boosted trees',
      hyperparameters: { depth: 6, learningRate: 0.05 },
      environment: { python: '3.12', xgboost: '2.1' },
    });
    const artifact = versionArtifact(version).digest;
    await send('ci', 'post', `/training-runs/${run.id}/completion`, {
      metrics: { auc: 0.82, ks: 0.41 },
      validationApproach: 'out-of-time holdout 2025-Q4',
      artifact: {
        uri: `s3://models/credit-risk/${version}.onnx`,
        digest: artifact,
        format: 'onnx',
      },
    });
    await send(registrant, 'post', '/models/credit-risk/versions', {
      version,
      runId: run.id,
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial', 'identity'],
      decisions: 'approve or refer consumer credit applications',
      intendedUse: 'pre-screening of unsecured personal loans up to $50k',
      limitations: ['not for small-business lending'],
      owner: 'head-of-credit-risk',
    });
    api.position = (
      await storeVersionArtifact(
        test,
        api.bearer(registrant),
        { model: 'credit-risk', version, tag: version },
        { 'X-Correlation-Id': `credit-flow-${registrant}` },
      )
    ).ledgerPosition;
    await send('ci', 'post', `/models/credit-risk/versions/${version}/evaluations`, {
      datasetVersion: { name: 'credit-applications', version: '2026-01' },
      metrics: { auc: 0.81, gini: 0.62, psi: 0.04 },
      fairness: [
        {
          attribute: 'age-band',
          metric: 'approval-rate-ratio',
          value: 0.91,
          threshold: 0.8,
          groups: { '18-25': 0.55, '26-64': 0.6 },
          passed: true,
        },
      ],
      verdict: 'pass',
    });
    // Attest's own run on the holdout: what the approval policy requires of a high-risk version
    // (README, "Governance workflow"). Recorded as the evaluation-run API records it.
    const serviceRun = await recordServiceRun(test.eventLog, {
      model: 'credit-risk',
      version,
      artifactDigest: artifact,
      datasetVersion: { name: 'credit-applications', version: '2026-01', contentHash: sha('c1') },
      correlationId: 'credit-flow-attest',
    });
    api.position = serviceRun.appended.position;
    return { runId: run.id, artifact };
  }

  async function approve(version: string, requester: string, first: string, second: string) {
    const request = await send(
      requester,
      'post',
      `/models/credit-risk/versions/${version}/approval-requests`,
      {
        environment: 'production',
        comment: `release ${version}`,
      },
    );
    await send(first, 'post', `/approvals/${request.id}/decisions`, {
      decision: 'grant',
      comment: 'validation reviewed',
    });
    await send(second, 'post', `/approvals/${request.id}/decisions`, {
      decision: 'grant',
      comment: 'privacy and ADM disclosure checked',
    });
    return request.id;
  }

  it('records the whole life and shows it in every view', async () => {
    // Data
    const dataset = await send('ci', 'post', '/datasets/credit-applications/versions', {
      version: '2026-01',
      contentHash: sha('c1'),
      rows: 250_000,
      schema: [
        {
          name: 'annual_income',
          type: 'number',
          personal: true,
          sensitive: false,
          category: 'financial',
        },
        {
          name: 'age_band',
          type: 'string',
          personal: true,
          sensitive: false,
          category: 'identity',
          protectedAttribute: true,
        },
        { name: 'loan_term', type: 'number', personal: false, sensitive: false },
      ],
      location: 's3://lake/credit/2026-01.parquet',
      region: 'ap-southeast-2',
      lawfulBasis: 'necessary to assess the credit application (APP 3.2)',
      collectionNotice: 'https://bank.example/privacy/credit-notice-v5',
      purpose: 'credit assessment',
      retention: 'P7Y',
      piaId: 'PIA-2026-031',
    });
    expect(dataset.id).toBe('credit-applications@2026-01');
    await send('ci', 'post', '/datasets/credit-applications/versions/2026-01/validations', {
      suite: 'credit-suite v7',
      passed: true,
      checks: [{ name: 'no-null-income', passed: true }],
    });

    // Training, registration, evaluation
    const first = await trainAndRegister('1.0.0', 'dana');

    // Two-stage approval; the inbox shows each stage to the people who may grant it
    const request = await send(
      'dana',
      'post',
      '/models/credit-risk/versions/1.0.0/approval-requests',
      {
        environment: 'production',
      },
    );
    const inbox = async (who: string) =>
      ((await read(who, '/approvals?status=pending')).items as { id: string }[]).map(
        (item) => item.id,
      );
    expect(await inbox('rick')).toEqual([request.id]);
    expect(await inbox('carol')).toEqual([]);
    await send('rick', 'post', `/approvals/${request.id}/decisions`, {
      decision: 'grant',
      comment: 'KS and PSI within limits',
    });
    expect(await inbox('rick')).toEqual([]);
    expect(await inbox('carol')).toEqual([request.id]);
    await send('carol', 'post', `/approvals/${request.id}/decisions`, {
      decision: 'grant',
      comment: 'APP 1.7 disclosure in privacy policy v12',
    });
    const approval = await read('rita', `/approvals/${request.id}`);
    expect(approval).toMatchObject({
      status: 'approved',
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      evidenceDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });

    // Canary, then all traffic
    const canary = await send('rick', 'post', '/deployments', {
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      strategy: 'canary',
      canaryPercent: 10,
      approvalId: request.id,
    });
    expect(canary.id).toBe('credit-risk.production');
    await send('rick', 'post', '/deployments/credit-risk.production/promotion', {});

    // Prediction batches from the scoring pipeline
    for (let hour = 0; hour < 3; hour++) {
      await send('ci', 'post', '/deployments/credit-risk.production/prediction-batches', {
        version: '1.0.0',
        count: 1000,
        window: {
          from: `2026-03-01T0${hour}:00:00.000Z`,
          to: `2026-03-01T0${hour + 1}:00:00.000Z`,
        },
        inputDigest: sha(`${hour}f`),
        outputDistribution: { approve: 610, refer: 290, decline: 100 },
        featureSummaries: [{ feature: 'annual_income', mean: 84000, stddev: 21000, missing: 2 }],
        latencyMs: { p50: 11, p95: 35, p99: 60 },
        decisions: { automated: 710, referred: 290 },
      });
    }

    // A second version, approved by other people, replaces it; then a rollback
    await trainAndRegister('1.1.0', 'dev');
    const secondApproval = await approve('1.1.0', 'dev', 'rosa', 'carol');
    await send('rick', 'post', '/deployments', {
      model: 'credit-risk',
      version: '1.1.0',
      environment: 'production',
      strategy: 'full',
      approvalId: secondApproval,
    });
    await send('ci', 'post', '/deployments/credit-risk.production/rollback', {
      reason: 'PSI on annual_income above 0.25 in the first hour',
      automatic: true,
    });
    const truth = await send(
      'ci',
      'post',
      '/deployments/credit-risk.production/ground-truth',
      {
        version: '1.0.0',
        batchIds: [],
        window: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-01T03:00:00.000Z' },
        count: 0,
        labelsDigest: sha('9a'),
        metrics: { auc: 0.8 },
      },
      400,
    );
    expect(truth.errors).toHaveProperty('batchIds');
    const batches = (await read('rita', '/deployments/credit-risk.production/prediction-batches'))
      .items as { batchId: string }[];
    expect(batches).toHaveLength(3);
    await send('ci', 'post', '/deployments/credit-risk.production/ground-truth', {
      version: '1.0.0',
      batchIds: batches.map((batch) => batch.batchId),
      window: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-01T03:00:00.000Z' },
      count: 2400,
      labelsDigest: sha('9a'),
      metrics: { auc: 0.8, defaultRate: 0.031 },
    });

    // Every view, read by the regulator
    const model = await read('rita', '/models/credit-risk');
    expect(model).toMatchObject({ name: 'credit-risk', latestVersion: '1.1.0', versionCount: 2 });
    expect(model.deployments).toEqual([
      expect.objectContaining({
        environment: 'production',
        version: '1.0.0',
        canaryVersion: null,
        status: 'active',
      }),
    ]);
    const v1 = await read('rita', '/models/credit-risk/versions/1.0.0');
    expect(v1).toMatchObject({
      status: 'deployed',
      runId: first.runId,
      trainedBy: 'ci',
      registeredBy: 'dana',
      artifactDigest: first.artifact,
      datasetVersions: [
        { name: 'credit-applications', version: '2026-01', contentHash: sha('c1') },
      ],
      card: {
        riskTier: 'high',
        decisionClass: 'substantially-assists',
        personalInformationKinds: ['financial', 'identity'],
      },
      evaluations: [
        expect.objectContaining({ verdict: 'pass', performedBy: 'pipeline' }),
        expect.objectContaining({ verdict: 'pass', performedBy: 'attest' }),
      ],
      approvals: [expect.objectContaining({ approvalId: request.id, environment: 'production' })],
    });
    const v2 = await read('rita', '/models/credit-risk/versions/1.1.0');
    expect(v2.status).toBe('approved');
    const deployments = await read('rita', '/deployments?environment=production');
    expect(deployments.items).toEqual([
      expect.objectContaining({
        deploymentId: 'credit-risk.production',
        version: '1.0.0',
        status: 'active',
      }),
    ]);
    const history = (await read('rita', '/deployments/credit-risk.production')).history as {
      eventType: string;
    }[];
    expect(history.map((entry) => entry.eventType)).toEqual([
      'ModelDeployed',
      'DeploymentPromoted',
      'ModelDeployed',
      'DeploymentRolledBack',
    ]);
    expect(history[3]).toMatchObject({ fromVersion: '1.1.0', toVersion: '1.0.0', automatic: true });
    const run = await read('rita', `/training-runs/${first.runId}`);
    expect(run).toMatchObject({ status: 'completed', model: 'credit-risk' });
    const data = await read('rita', '/datasets/credit-applications/versions/2026-01');
    expect(data).toMatchObject({
      containsPersonalInformation: true,
      region: 'ap-southeast-2',
      validations: [expect.objectContaining({ passed: true })],
    });
    expect((await read('rita', '/approvals?status=approved')).items).toHaveLength(2);

    // Every event carries who did it and the request it came from; the chains verify
    // The regulator's own reads are in the access log (access-log-rita), with their own ids.
    const events = (await test.eventLog.readAll({ maxCount: 10_000 })).filter(
      (event) => !event.stream.startsWith('access-log-'),
    );
    expect(events.length).toBeGreaterThan(25);
    for (const event of events) {
      expect(event.metadata).toMatchObject({
        actor: { sub: expect.any(String), roles: expect.any(Array) },
        correlationId: expect.stringMatching(/^credit-flow-/),
        causationId: expect.any(String),
        occurredAt: expect.any(String),
      });
    }
    const deployedBy = events
      .filter((event) => event.type === 'ModelDeployed')
      .map((event) => event.metadata.actor);
    expect(deployedBy).toEqual([
      { sub: 'rick', roles: ['risk-manager'] },
      { sub: 'rick', roles: ['risk-manager'] },
    ]);
    const verify = await read('rita', '/ledger/verify');
    expect(verify).toMatchObject({ ok: true });

    // The regulator's audit pack of 1.0.0 names its approvers and their reasons, its rollout
    // and the rollback that restored it, and its evidence verifies with the published keys.
    const pack = await test
      .anonymous()
      .get('/api/v1/models/credit-risk/versions/1.0.0/audit-pack')
      .set('Authorization', `Bearer ${await test.token('rita', ['regulator'])}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    const pdf = pack.body as Buffer;
    const text = flowing((await pdfText(pdf)).text);
    for (const fact of [
      'rick',
      'carol',
      'KS and PSI within limits',
      'APP 1.7 disclosure in privacy policy v12',
      'rolled back',
      '(automatic)',
      'credit-risk.production',
      'credit-applications@2026-01',
    ]) {
      expect({ fact, shown: text.includes(fact) }).toEqual({ fact, shown: true });
    }
    const [attached] = embeddedFiles(pdf);
    const bundle = JSON.parse(attached.toString('utf8')) as EvidenceBundle;
    const jwks = (await test.anonymous().get('/.well-known/jwks.json').expect(200)).body;
    const checked = await verifyBundle(bundle, {
      jwks,
      pdf: { bytes: pdf, signature: String(pack.headers['attest-signature']) },
    });
    expect(checked.checks.filter((check) => !check.ok)).toEqual([]);
    expect(bundle.events.filter((e) => e.type === 'ApprovalStageGranted')).toHaveLength(2);
  });
});
