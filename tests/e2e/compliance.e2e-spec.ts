import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportsDirectory } from '../../src/compliance/reports/report-mappings';
import { type EvidenceBundle, verifyBundle } from '../../src/integrity/evidence-bundle';
import { embeddedFiles } from '../../src/integrity/pdf-attachment';
import { binary, flowing, pdfText } from '../support/pdf';
import { DataSource } from 'typeorm';
import { streams } from '../../src/ledger/stream-names';
import { seedStream } from '../support/seed-events';
import { recordPassingServiceEvaluation } from '../support/service-evaluation-fixture';
import { TestClock } from '../support/test-clock';
import { staffWith } from '../support/staff';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { TestApp, startTestApp } from '../support/test-app';

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const uuid = expect.stringMatching(
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
);

type Body = Record<string, unknown>;
type Register = { obligation: Body; period: Body; entries: Entry[] };
type Entry = Body & { environments: (Body & { periods: Body[] })[]; gaps: Body[] };

/**
 * A year of governed history recorded through the API with a test clock: three models of three
 * decision classes, staging and production deployments, a canary, a replacement and a rollback,
 * a card update and a retirement; the ADM register and the personal-data view read it back.
 */
describe('compliance views: the ADM register and the personal-data inventory', () => {
  const time = new TestClock('2026-01-05T09:00:00.000Z');
  let test: TestApp;
  const tokens = new Map<string, string>();
  let position = '';
  let approvalOf100 = '';
  let approvalOf110 = '';
  let periodAAtFirst: Register;
  const runs = new Map<string, string>();
  const deletions = { overdue: '', open: '', fulfilled: '', legacy: '' };

  const as = (who: string) => `Bearer ${tokens.get(who)}`;
  const send = async (
    who: string,
    method: 'post' | 'patch',
    path: string,
    body: object,
    status = method === 'post' ? 201 : 200,
  ) => {
    const client = test.anonymous();
    const response = await client[method](`/api/v1${path}`)
      .set('Authorization', as(who))
      .send(body);
    // The body is in the message when a step of the seeded history is refused.
    if (response.status !== status) {
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    if (response.body.ledgerPosition) position = response.body.ledgerPosition;
    return response.body as { id: string; ledgerPosition: string };
  };
  const get = (who: string, path: string) =>
    test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', as(who))
      .set('X-Ledger-Position', position);
  const register = async (query: string, who = 'rita'): Promise<Register> =>
    (await get(who, `/compliance/adm-register${query}`).expect(200)).body as Register;
  const at = (instant: string) => time.set(instant);

  async function dataset(name: string, region: string, schema: Body[]) {
    const personal = schema.some((field) => field.personal);
    await send('ci', 'post', `/datasets/${name}/versions`, {
      version: '2026-01',
      contentHash: sha(name),
      rows: 10_000,
      schema,
      location: `s3://lake/${name}/2026-01.parquet`,
      region,
      ...(personal
        ? {
            lawfulBasis: `necessary for ${name} (APP 3.2)`,
            collectionNotice: `https://bank.example/privacy/${name}`,
            purpose: name,
            retention: 'P7Y',
            piaId: `PIA-${name}`,
          }
        : {}),
    });
  }

  async function model(
    name: string,
    version: string,
    data: string,
    card: { decisionClass: string; riskTier: string; personalInformationKinds: string[] },
    registrant = 'dana',
    evaluated = true,
  ) {
    const run = await send('ci', 'post', '/training-runs', {
      model: name,
      datasetVersions: [{ name: data, version: '2026-01' }],
      code: { repository: `git@bank.example:ml/${name}.git`, commit: 'a1b2c3d4e5f6' },
      algorithm: 'gradient-boosted trees',
      hyperparameters: { depth: 6 },
      environment: { python: '3.12' },
    });
    runs.set(`${name}@${version}`, run.id);
    await send('ci', 'post', `/training-runs/${run.id}/completion`, {
      metrics: { auc: 0.8 },
      validationApproach: 'out-of-time holdout',
      artifact: {
        uri: `s3://models/${name}/${version}.onnx`,
        digest: versionArtifact(`${name}@${version}`).digest,
        format: 'onnx',
      },
    });
    await send(registrant, 'post', `/models/${name}/versions`, {
      version,
      runId: run.id,
      ...card,
      decisions: `decisions of ${name}`,
      intendedUse: `${name} in retail banking`,
      limitations: [],
      owner: `owner-of-${name}`,
    });
    await storeVersionArtifact(test, as(registrant), {
      model: name,
      version,
      tag: `${name}@${version}`,
    });
    if (evaluated) {
      await send('ci', 'post', `/models/${name}/versions/${version}/evaluations`, {
        datasetVersion: { name: data, version: '2026-01' },
        metrics: { auc: 0.79 },
        fairness: [],
        verdict: 'pass',
      });
    }
  }

  async function approve(name: string, version: string, requester: string, first: string) {
    // The approval gate asks for a passing evaluation Attest computed for production.
    const { appended } = await recordPassingServiceEvaluation(test.eventLog, {
      model: name,
      version,
      environment: 'production',
      riskTier: 'high',
      datasetVersion: {
        name: 'credit-applications',
        version: '2026-01',
        contentHash: sha('credit-applications'),
      },
      artifactDigest: versionArtifact(`${name}@${version}`).digest,
      evaluatedAt: time.iso(),
    });
    position = appended.position;
    const request = await send(
      requester,
      'post',
      `/models/${name}/versions/${version}/approval-requests`,
      { environment: 'production' },
    );
    await send(first, 'post', `/approvals/${request.id}/decisions`, {
      decision: 'grant',
      comment: 'validation reviewed',
    });
    await send('carol', 'post', `/approvals/${request.id}/decisions`, {
      decision: 'grant',
      comment: 'APP 1.7 disclosure checked',
    });
    return request.id;
  }

  const deploy = (name: string, version: string, environment: string, extra: Body = {}) =>
    send('rick', 'post', '/deployments', {
      model: name,
      version,
      environment,
      strategy: 'full',
      ...extra,
    });

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
    for (const [sub, roles] of staffWith(['ada', ['admin']]))
      tokens.set(sub, await test.token(sub, roles));

    // 5 January: data, and three models of three decision classes
    await dataset('credit-applications', 'ap-southeast-2', [
      {
        name: 'annual_income',
        type: 'number',
        personal: true,
        sensitive: false,
        category: 'financial',
      },
      { name: 'age_band', type: 'string', personal: true, sensitive: false, category: 'identity' },
      { name: 'loan_term', type: 'number', personal: false, sensitive: false },
    ]);
    await dataset('collections-history', 'AU', [
      { name: 'arrears', type: 'number', personal: true, sensitive: false, category: 'financial' },
      {
        name: 'hardship_reason',
        type: 'string',
        personal: true,
        sensitive: true,
        category: 'health',
      },
    ]);
    await dataset('branch-footfall', 'ap-southeast-2', [
      { name: 'visitors', type: 'number', personal: false, sensitive: false },
    ]);
    await model('credit-decision', '1.0.0', 'credit-applications', {
      decisionClass: 'solely-automated',
      riskTier: 'high',
      personalInformationKinds: ['financial', 'identity'],
    });
    await model(
      'collections-priority',
      '1.0.0',
      'collections-history',
      { decisionClass: 'substantially-assists', riskTier: 'medium', personalInformationKinds: [] },
      'dana',
      false,
    );
    await model('branch-staffing', '1.0.0', 'branch-footfall', {
      decisionClass: 'advisory',
      riskTier: 'low',
      personalInformationKinds: [],
    });

    // January: staging, then an approved canary in production, promoted on 1 February
    at('2026-01-10T09:00:00.000Z');
    await deploy('credit-decision', '1.0.0', 'staging');
    at('2026-01-15T09:00:00.000Z');
    await deploy('collections-priority', '1.0.0', 'staging');
    await deploy('branch-staffing', '1.0.0', 'staging');
    at('2026-01-18T09:00:00.000Z');
    approvalOf100 = await approve('credit-decision', '1.0.0', 'dana', 'rick');
    at('2026-01-20T09:00:00.000Z');
    await deploy('credit-decision', '1.0.0', 'production', {
      strategy: 'canary',
      canaryPercent: 20,
      approvalId: approvalOf100,
    });
    at('2026-02-01T09:00:00.000Z');
    await send('rick', 'post', '/deployments/credit-decision.production/promotion', {});

    // 1 March: the register of the first two months, before anything changes
    at('2026-03-01T09:00:00.000Z');
    periodAAtFirst = await register('?from=2026-01-01&to=2026-02-28');

    // March: 1.1.0 replaces 1.0.0 in production and is rolled back two days later
    await model(
      'credit-decision',
      '1.1.0',
      'credit-applications',
      {
        decisionClass: 'solely-automated',
        riskTier: 'high',
        personalInformationKinds: ['financial', 'identity'],
      },
      'dev',
    );
    approvalOf110 = await approve('credit-decision', '1.1.0', 'dev', 'rosa');
    at('2026-03-10T09:00:00.000Z');
    await deploy('credit-decision', '1.1.0', 'production', { approvalId: approvalOf110 });
    at('2026-03-12T09:00:00.000Z');
    await send('ci', 'post', '/deployments/credit-decision.production/rollback', {
      reason: 'PSI on annual_income above 0.25',
      automatic: true,
    });

    // Collections: kinds recorded on 20 March; the version retired on 1 April, still serving
    at('2026-03-20T09:00:00.000Z');
    await send('dana', 'patch', '/models/collections-priority/versions/1.0.0/card', {
      personalInformationKinds: ['financial'],
    });
    at('2026-04-01T09:00:00.000Z');
    await send('dana', 'post', '/models/collections-priority/versions/1.0.0/retirement', {
      reason: 'replaced by the hardship team’s manual triage',
    });
    await send('ci', 'post', '/datasets/collections-history/versions/2026-01/retirement', {
      reason: 'retention review',
    });

    // Deletion requests: one long overdue, one assessed and open, one fulfilled with an exception
    at('2026-11-20T09:00:00.000Z');
    deletions.overdue = (
      await send('carol', 'post', '/privacy/deletion-requests', {
        subjectId: 'customer-31',
        receivedOn: '2026-10-01',
      })
    ).id;
    deletions.open = (
      await send('carol', 'post', '/privacy/deletion-requests', {
        subjectId: 'customer-32',
        receivedOn: '2026-11-18',
      })
    ).id;
    await send('carol', 'post', `/privacy/deletion-requests/${deletions.open}/assessment`, {
      affected: {
        datasetVersions: [{ name: 'credit-applications', version: '2026-01' }],
        models: [{ name: 'credit-decision', version: '1.0.0' }],
        deployments: ['credit-decision.production'],
      },
      notes: 'in the January extract',
    });
    deletions.fulfilled = (
      await send('carol', 'post', '/privacy/deletion-requests', {
        subjectId: 'customer-33',
        receivedOn: '2026-11-02',
      })
    ).id;
    await send('carol', 'post', `/privacy/deletion-requests/${deletions.fulfilled}/assessment`, {
      affected: {
        datasetVersions: [{ name: 'collections-history', version: '2026-01' }],
        models: [],
        deployments: [],
      },
    });
    await send('carol', 'post', `/privacy/deletion-requests/${deletions.fulfilled}/fulfilment`, {
      replacementDatasetVersions: [],
      retrainedModels: [],
      exceptions: [
        {
          covers: { kind: 'dataset-version', id: 'collections-history@2026-01' },
          item: 'loan ledger',
          reason: 'retention obligation (AML/CTF Act s 107)',
        },
      ],
    });
    // A request fulfilled before every affected item had to be accounted for: two dataset
    // versions, two models and a deployment, closed with nothing but an unrelated exception.
    // The ledger keeps it as it was; the OAIC report must flag it.
    deletions.legacy = '0195cccc-0000-7000-8000-000000000033';
    const requestId = deletions.legacy;
    position = (
      await seedStream(
        test.eventLog,
        streams.deletionRequest(requestId),
        [
          {
            type: 'DeletionRequested',
            data: {
              requestId,
              subjectRef: `hmac-sha256:${'3c'.repeat(32)}`,
              receivedOn: '2026-11-03',
              dueOn: '2026-12-03',
              channel: null,
              requestedBy: 'carol',
              requestedAt: '2026-11-03T09:00:00.000Z',
            },
          },
          {
            type: 'DeletionAssessed',
            data: {
              requestId,
              affected: {
                datasetVersions: [
                  { name: 'collections-history', version: '2026-01' },
                  { name: 'collections-history', version: '2026-02' },
                ],
                models: [
                  { name: 'collections-priority', version: '1.0.0' },
                  { name: 'collections-priority', version: '1.1.0' },
                ],
                deployments: ['collections-priority.staging'],
              },
              notes: null,
              assessedBy: 'carol',
              assessedAt: '2026-11-04T09:00:00.000Z',
            },
          },
          {
            type: 'DeletionFulfilled',
            data: {
              requestId,
              replacementDatasetVersions: [],
              retrainedModels: [],
              exceptions: [{ item: 'loan ledger', reason: 'retention obligation' }],
              fulfilledBy: 'carol',
              fulfilledAt: '2026-11-05T09:00:00.000Z',
            },
          },
        ],
        { sub: 'carol', roles: ['compliance-officer'] },
      )
    ).position;

    // December: after APP 1.7–1.9 came into force
    at('2026-12-15T09:00:00.000Z');
    // Starting the app on embedded PGlite alone can take half a minute on a busy machine.
  }, 120_000);
  afterAll(() => test.close());

  const credit100Staging = {
    servedFrom: '2026-01-10T09:00:00.000Z',
    servedTo: null,
    startedAt: '2026-01-10T09:00:00.000Z',
    startedAs: 'full',
    fullTrafficFrom: '2026-01-10T09:00:00.000Z',
    approvalId: null,
    startedBy: { eventId: uuid, eventType: 'ModelDeployed' },
    endedBy: null,
  };
  const collectionsStaging = {
    ...credit100Staging,
    servedFrom: '2026-01-15T09:00:00.000Z',
    startedAt: '2026-01-15T09:00:00.000Z',
    fullTrafficFrom: '2026-01-15T09:00:00.000Z',
  };

  describe('GET /compliance/adm-register', () => {
    it('lists the first two months: canary then full traffic, staging, and the gaps of collections', async () => {
      const periodA = await register('?from=2026-01-01&to=2026-02-28');
      expect(periodA.period).toEqual({
        from: '2026-01-01',
        to: '2026-02-28',
        start: '2026-01-01T00:00:00.000Z',
        end: '2026-03-01T00:00:00.000Z',
      });
      expect(periodA.obligation).toEqual({
        reference: expect.stringContaining('APP 1.7'),
        inForceFrom: '2026-12-10',
        inForce: false,
      });
      // The advisory branch-staffing model is deployed too, and absent.
      expect(periodA.entries.map((e) => `${e.model}@${e.version}`)).toEqual([
        'collections-priority@1.0.0',
        'credit-decision@1.0.0',
      ]);
      const [collections, credit] = periodA.entries;
      expect(collections).toMatchObject({
        decisionClass: 'substantially-assists',
        personalInformationKinds: [],
        decisions: 'decisions of collections-priority',
        owner: 'owner-of-collections-priority',
        retiredAt: null,
        approvals: [],
        evaluations: { count: 0, passing: 0 },
        environments: [
          {
            environment: 'staging',
            deploymentId: 'collections-priority.staging',
            periods: [collectionsStaging],
          },
        ],
      });
      expect(collections.gaps.map((gap) => gap.code)).toEqual([
        'no-personal-information-kinds',
        'no-evaluation',
      ]);
      expect(credit).toMatchObject({
        decisionClass: 'solely-automated',
        riskTier: 'high',
        personalInformationKinds: ['financial', 'identity'],
        decisions: 'decisions of credit-decision',
        owner: 'owner-of-credit-decision',
        // The pipeline's evaluation and the one Attest computed for its production approval.
        evaluations: { count: 2, passing: 2 },
        approvals: [
          {
            approvalId: approvalOf100,
            environment: 'production',
            approvedAt: '2026-01-18T09:00:00.000Z',
            approvers: [
              expect.objectContaining({ stage: 0, role: 'risk-manager', sub: 'rick' }),
              expect.objectContaining({ stage: 1, role: 'compliance-officer', sub: 'carol' }),
            ],
          },
        ],
        gaps: [],
      });
      expect(credit.environments).toEqual([
        {
          environment: 'production',
          deploymentId: 'credit-decision.production',
          periods: [
            {
              servedFrom: '2026-01-20T09:00:00.000Z',
              servedTo: null,
              startedAt: '2026-01-20T09:00:00.000Z',
              startedAs: 'canary',
              fullTrafficFrom: '2026-02-01T09:00:00.000Z',
              approvalId: approvalOf100,
              startedBy: { eventId: uuid, eventType: 'ModelDeployed' },
              endedBy: null,
            },
          ],
        },
        {
          environment: 'staging',
          deploymentId: 'credit-decision.staging',
          periods: [credit100Staging],
        },
      ]);
      // Later history (a replacement, a rollback, a card update, a retirement) changes nothing here.
      expect(periodA).toEqual(periodAAtFirst);
    });

    it('lists March to 10 December: the replacement, the rollback, and the retired version still serving', async () => {
      const periodB = await register('?from=2026-03-01&to=2026-12-10');
      expect(periodB.obligation.inForce).toBe(true);
      expect(periodB.entries.map((e) => `${e.model}@${e.version}`)).toEqual([
        'collections-priority@1.0.0',
        'credit-decision@1.0.0',
        'credit-decision@1.1.0',
      ]);
      const [collections, credit100, credit110] = periodB.entries;
      expect(collections).toMatchObject({
        personalInformationKinds: ['financial'],
        retiredAt: '2026-04-01T09:00:00.000Z',
        environments: [
          {
            environment: 'staging',
            periods: [{ ...collectionsStaging, servedFrom: '2026-03-01T00:00:00.000Z' }],
          },
        ],
      });
      expect(collections.gaps).toEqual([
        {
          code: 'retired-but-serving',
          environment: 'staging',
          detail: expect.stringContaining('2026-04-01T09:00:00.000Z'),
        },
        { code: 'no-evaluation', environment: null, detail: expect.any(String) },
      ]);

      const [production, staging] = credit100.environments;
      expect(staging).toEqual({
        environment: 'staging',
        deploymentId: 'credit-decision.staging',
        periods: [{ ...credit100Staging, servedFrom: '2026-03-01T00:00:00.000Z' }],
      });
      expect(production.periods).toEqual([
        {
          servedFrom: '2026-03-01T00:00:00.000Z',
          servedTo: '2026-03-10T09:00:00.000Z',
          startedAt: '2026-01-20T09:00:00.000Z',
          startedAs: 'canary',
          fullTrafficFrom: '2026-02-01T09:00:00.000Z',
          approvalId: approvalOf100,
          startedBy: { eventId: uuid, eventType: 'ModelDeployed' },
          endedBy: { eventId: uuid, eventType: 'ModelDeployed' },
        },
        {
          servedFrom: '2026-03-12T09:00:00.000Z',
          servedTo: null,
          startedAt: '2026-03-12T09:00:00.000Z',
          startedAs: 'full',
          fullTrafficFrom: '2026-03-12T09:00:00.000Z',
          // The version rolled back to rests on the approval it was first deployed on.
          approvalId: approvalOf100,
          startedBy: { eventId: uuid, eventType: 'DeploymentRolledBack' },
          endedBy: null,
        },
      ]);
      expect(credit100.gaps).toEqual([]);
      expect(credit110).toMatchObject({
        approvals: [expect.objectContaining({ approvalId: approvalOf110 })],
        gaps: [],
        environments: [
          {
            environment: 'production',
            periods: [
              expect.objectContaining({
                servedFrom: '2026-03-10T09:00:00.000Z',
                servedTo: '2026-03-12T09:00:00.000Z',
                approvalId: approvalOf110,
                endedBy: { eventId: uuid, eventType: 'DeploymentRolledBack' },
              }),
            ],
          },
        ],
      });
      // The rollback that ended 1.1.0 is the event that started 1.0.0 again.
      expect(credit110.environments[0].periods[0].endedBy).toEqual(production.periods[1].startedBy);
    });

    it('shows only what served on one day: 11 March, between the replacement and the rollback', async () => {
      const day = await register('?from=2026-03-11&to=2026-03-11');
      const environments = Object.fromEntries(
        day.entries.map((e) => [
          `${e.model}@${e.version}`,
          e.environments.map((env) => env.environment),
        ]),
      );
      expect(environments).toEqual({
        'collections-priority@1.0.0': ['staging'],
        'credit-decision@1.0.0': ['staging'],
        'credit-decision@1.1.0': ['production'],
      });
    });

    it('says whether APP 1.7–1.9 were in force on the last day, and defaults to the last 12 months', async () => {
      expect((await register('?from=2026-03-01&to=2026-12-09')).obligation.inForce).toBe(false);
      expect((await register('?from=2026-03-01&to=2026-12-10')).obligation.inForce).toBe(true);
      const byDefault = await register('', 'ci');
      expect(byDefault.period).toEqual({
        from: '2025-12-16',
        to: '2026-12-15',
        start: '2025-12-16T00:00:00.000Z',
        end: '2026-12-16T00:00:00.000Z',
      });
      expect(byDefault.obligation.inForce).toBe(true);
      expect(byDefault.entries).toHaveLength(3);
      // Before the first deployment nothing served.
      expect((await register('?from=2025-01-01&to=2026-01-09')).entries).toEqual([]);
    });

    it('is open to every role and refuses a bad period with 400 naming the field', async () => {
      for (const who of ['ci', 'dana', 'rick', 'carol', 'ada', 'rita']) {
        await get(who, '/compliance/adm-register?to=2026-02-28').expect(200);
      }
      await test.anonymous().get('/api/v1/compliance/adm-register').expect(401);
      const cases: [string, string][] = [
        ['?from=2026-02-30', 'from'],
        ['?to=2026-12', 'to'],
        ['?from=2026-05-01&to=2026-04-30', 'from'],
        ['?asOf=2026-03-01', 'asOf'],
      ];
      for (const [query, field] of cases) {
        const response = await get('rita', `/compliance/adm-register${query}`).expect(400);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(Object.keys(response.body.errors as Body)).toEqual([field]);
      }
    });
  });

  describe('GET /privacy/personal-data', () => {
    it('lists every dataset version holding personal information with the model versions trained on it', async () => {
      const page = (await get('carol', '/privacy/personal-data').expect(200)).body as {
        items: Body[];
        nextCursor: string | null;
      };
      expect(page.nextCursor).toBeNull();
      // branch-footfall holds no personal information.
      expect(page.items).toEqual([
        {
          name: 'collections-history',
          version: '2026-01',
          kinds: ['financial', 'health'],
          personalFields: [
            { name: 'arrears', category: 'financial', sensitive: false },
            { name: 'hardship_reason', category: 'health', sensitive: true },
          ],
          sensitive: true,
          lawfulBasis: 'necessary for collections-history (APP 3.2)',
          collectionNotice: 'https://bank.example/privacy/collections-history',
          purpose: 'collections-history',
          retention: 'P7Y',
          piaId: 'PIA-collections-history',
          region: 'AU',
          status: 'retired',
          rows: 10_000,
          registeredAt: '2026-01-05T09:00:00.000Z',
          eventId: uuid,
          trainingRuns: [
            {
              runId: runs.get('collections-priority@1.0.0'),
              model: 'collections-priority',
              status: 'completed',
            },
          ],
          modelVersions: [
            {
              model: 'collections-priority',
              version: '1.0.0',
              runId: runs.get('collections-priority@1.0.0'),
              decisionClass: 'substantially-assists',
              retired: true,
            },
          ],
        },
        expect.objectContaining({
          name: 'credit-applications',
          kinds: ['financial', 'identity'],
          sensitive: false,
          region: 'ap-southeast-2',
          status: 'active',
          trainingRuns: [
            expect.objectContaining({ runId: runs.get('credit-decision@1.0.0') }),
            expect.objectContaining({ runId: runs.get('credit-decision@1.1.0') }),
          ],
          modelVersions: [
            expect.objectContaining({ model: 'credit-decision', version: '1.0.0', retired: false }),
            expect.objectContaining({ model: 'credit-decision', version: '1.1.0', retired: false }),
          ],
        }),
      ]);
    });

    it('records each page shown as PersonalDataAccessed, whoever reads it', async () => {
      await get('ada', '/privacy/personal-data?region=AU').expect(200);
      const log = await test.eventLog.readStream(streams.accessLog('ada'));
      expect(log.map((event) => [event.type, event.data.kind, event.data.ids])).toContainEqual([
        'PersonalDataAccessed',
        'dataset-version',
        ['collections-history@2026-01'],
      ]);
    });

    it('filters by region and pages with a cursor', async () => {
      const au = (await get('rita', '/privacy/personal-data?region=AU').expect(200)).body;
      expect(au.items.map((item: Body) => item.name)).toEqual(['collections-history']);
      const first = (await get('ada', '/privacy/personal-data?limit=1').expect(200)).body;
      expect(first.items.map((item: Body) => item.name)).toEqual(['collections-history']);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = (
        await get('ada', `/privacy/personal-data?limit=1&after=${first.nextCursor}`).expect(200)
      ).body;
      expect(second.items.map((item: Body) => item.name)).toEqual(['credit-applications']);
      expect(second.nextCursor).toBeNull();
    });

    it('is for compliance officers, admins and regulators only; bad input is 400', async () => {
      for (const who of ['ci', 'dana', 'rick']) {
        const refused = await get(who, '/privacy/personal-data').expect(403);
        expect(refused.headers['content-type']).toContain('application/problem+json');
      }
      await test.anonymous().get('/api/v1/privacy/personal-data').expect(401);
      for (const [query, field] of [
        ['?limit=0', 'limit'],
        ['?after=not-a-cursor', 'after'],
        ['?region=a', 'region'],
      ]) {
        const response = await get('carol', `/privacy/personal-data${query}`).expect(400);
        expect(Object.keys(response.body.errors as Body)).toEqual([field]);
      }
    });
  });

  describe('GET /compliance/reports', () => {
    const PERIOD = '?from=2026-01-01&to=2026-12-14';
    type Answer = { id: string; status: string; evidence: { eventType: string; count: number }[] };

    /** The status each mapped item should have, from the events actually in the ledger. */
    async function expectedStatuses(items: Answer[]): Promise<Record<string, string>> {
      const seen = new Set<string>();
      for (const event of await test.eventLog.readAll({ maxCount: 100_000 })) {
        const at = event.metadata.occurredAt;
        if (at >= '2026-01-01T00:00:00.000Z' && at < '2026-12-15T00:00:00.000Z')
          seen.add(event.type);
      }
      return Object.fromEntries(
        items.map((item) => {
          const types = item.evidence.map((e) => e.eventType);
          const found = types.filter((type) => seen.has(type)).length;
          const status =
            types.length > 0 && found === types.length
              ? 'covered'
              : found > 0
                ? 'partly'
                : 'missing';
          return [item.id, status];
        }),
      );
    }

    it('ASIC: the inventory at every stage, accountability, findings and evidence-rated questions', async () => {
      const report = (
        await get('rita', `/compliance/reports/asic-model-governance${PERIOD}`).expect(200)
      ).body as Body & {
        inventory: Body[];
        obligations: Answer[];
        guardrails: Answer[];
        openFindings: Body[];
        accountability: Body[];
      };
      expect(report).toMatchObject({
        report: 'asic-model-governance',
        period: { from: '2026-01-01', to: '2026-12-14' },
        model: null,
        checkpoint: {
          treeSize: expect.any(Number),
          rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      });
      expect(report.inventory).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            model: 'credit-decision',
            version: '1.0.0',
            stage: 'deployed',
            decisionClass: 'solely-automated',
          }),
          expect.objectContaining({
            model: 'credit-decision',
            version: '1.0.0',
            environments: ['production', 'staging'],
            lastServedUntil: null,
          }),
          // Canaried and rolled back: it served, and no longer does.
          expect.objectContaining({
            model: 'credit-decision',
            version: '1.1.0',
            stage: 'previously deployed',
            environments: [],
            serving: [],
            firstDeployedAt: '2026-03-10T09:00:00.000Z',
            lastServedUntil: '2026-03-12T09:00:00.000Z',
          }),
          expect.objectContaining({
            model: 'collections-priority',
            version: '1.0.0',
            stage: 'retired',
          }),
        ]),
      );
      expect(report.inventory.map((v) => `${v.model}@${v.version}`).sort()).toEqual(
        (await test.app.get(DataSource).query('SELECT model, version FROM model_versions'))
          .map((v: Body) => `${v.model}@${v.version}`)
          .sort(),
      );
      const accountable = report.accountability.find(
        (a) => a.model === 'credit-decision' && a.version === '1.0.0',
      );
      expect(accountable).toMatchObject({
        approvals: [
          expect.objectContaining({
            status: 'approved',
            approvers: expect.arrayContaining([
              expect.objectContaining({ sub: 'carol', role: 'compliance-officer' }),
            ]),
          }),
        ],
      });
      const statuses = Object.fromEntries(
        [...report.obligations, ...report.guardrails].map((i) => [i.id, i.status]),
      );
      expect(statuses).toEqual(
        await expectedStatuses([...report.obligations, ...report.guardrails]),
      );
      expect(statuses).toMatchObject({
        inventory: 'covered',
        'reportable-situations': 'missing',
        G7: 'missing',
      });
      // credit-decision's production evaluations, computed by Attest, assessed fairness;
      // branch-staffing's, posted by the pipeline, did not.
      expect(report.openFindings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            model: 'branch-staffing',
            finding: 'no fairness assessment recorded',
          }),
        ]),
      );
      expect(
        report.openFindings.filter(
          (f) => f.model === 'credit-decision' && f.finding === 'no fairness assessment recorded',
        ),
      ).toEqual([]);
      // Every version that served in the period without a passing evaluation Attest computed
      // for that environment: staging never had one; production had one for each version.
      expect(
        report.openFindings
          .filter((f) => f.serviceEvaluation !== undefined)
          .map((f) => `${f.model}@${f.version} ${f.environment}: ${f.serviceEvaluation}`)
          .sort(),
      ).toEqual([
        'branch-staffing@1.0.0 staging: pipeline-only',
        'collections-priority@1.0.0 staging: none',
        'credit-decision@1.0.0 staging: pipeline-only',
      ]);
    });

    it('OAIC: the personal-information inventory, ADM entries and overdue deletion requests', async () => {
      const report = (await get('carol', `/compliance/reports/oaic-privacy${PERIOD}`).expect(200))
        .body as Body & {
        personalInformation: Body[];
        adm: { inForce: boolean; entries: Body[] };
        deletionRequests: Body[];
        obligations: Answer[];
        guardrails: Answer[];
        accessAndCorrection: Body;
      };
      const register = await get('carol', `/compliance/adm-register${PERIOD}`).expect(200);
      expect(report.adm.inForce).toBe(true);
      expect(report.adm.entries.map((e) => `${e.model}@${e.version}`)).toEqual(
        (register.body.entries as Entry[]).map((e) => `${e.model}@${e.version}`),
      );
      expect(report.personalInformation.map((d) => `${d.dataset}@${d.version}`).sort()).toEqual([
        'collections-history@2026-01',
        'credit-applications@2026-01',
      ]);
      expect(report.deletionRequests).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            id: deletions.overdue,
            status: 'open',
            overdue: true,
            dueOn: '2026-10-31',
            daysLeft: -45,
            affected: null,
          }),
          expect.objectContaining({
            id: deletions.open,
            status: 'assessed',
            overdue: false,
            daysLeft: 3,
            affected: { datasetVersions: 1, models: 1, deployments: 1 },
          }),
          expect.objectContaining({
            id: deletions.fulfilled,
            status: 'fulfilled',
            overdue: false,
            exceptions: [
              {
                item: 'loan ledger',
                reason: 'retention obligation (AML/CTF Act s 107)',
                covers: { kind: 'dataset-version', id: 'collections-history@2026-01' },
              },
            ],
            accounting: [
              {
                kind: 'dataset-version',
                id: 'collections-history@2026-01',
                by: 'exception',
                detail: 'retention obligation (AML/CTF Act s 107)',
                inferred: false,
              },
            ],
            unaccounted: [],
            warning: null,
          }),
          expect.objectContaining({
            id: deletions.legacy,
            status: 'fulfilled',
            affected: { datasetVersions: 2, models: 2, deployments: 1 },
            accounting: [],
            unaccounted: [
              { kind: 'dataset-version', id: 'collections-history@2026-01' },
              { kind: 'dataset-version', id: 'collections-history@2026-02' },
              { kind: 'model', id: 'collections-priority@1.0.0' },
              { kind: 'model', id: 'collections-priority@1.1.0' },
              { kind: 'deployment', id: 'collections-priority.staging' },
            ],
            warning: expect.stringMatching(
              /^fulfilled with 5 of 5 affected item\(s\) not accounted for/,
            ),
          }),
        ]),
      );
      expect(report.accessAndCorrection).toMatchObject({ recorded: false });
      const statuses = Object.fromEntries(
        [...report.obligations, ...report.guardrails].map((i) => [i.id, i.status]),
      );
      expect(statuses).toEqual(
        await expectedStatuses([...report.obligations, ...report.guardrails]),
      );
      expect(statuses).toMatchObject({
        'app-12-13': 'missing',
        ndb: 'missing',
        'app-11': 'covered',
      });
      // One model: only what concerns it.
      const one = (
        await get(
          'carol',
          `/compliance/reports/oaic-privacy${PERIOD}&model=credit-decision`,
        ).expect(200)
      ).body;
      expect((one.adm.entries as Body[]).every((e) => e.model === 'credit-decision')).toBe(true);
      expect((one.deletionRequests as Body[]).map((r) => r.id)).toEqual([deletions.open]);
    });

    it('as PDF: every section, the overdue request, the statuses, and evidence that verifies offline', async () => {
      for (const [name, file] of [
        ['asic-model-governance', 'asic-model-governance.json'],
        ['oaic-privacy', 'oaic-privacy.json'],
      ]) {
        const response = await get('rita', `/compliance/reports/${name}${PERIOD}&format=pdf`)
          .buffer(true)
          .parse(binary)
          .expect(200);
        expect(response.headers['content-type']).toContain('application/pdf');
        const pdf = response.body as Buffer;
        const text = flowing((await pdfText(pdf)).text);
        const sections = JSON.parse(readFileSync(join(reportsDirectory(), file), 'utf8'))
          .sections as string[];
        for (const section of sections)
          expect({ name, section, shown: text.includes(section) }).toEqual({
            name,
            section,
            shown: true,
          });
        expect(text).toContain('MISSING');
        expect(text).toContain('credit-decision');
        if (name === 'oaic-privacy') {
          expect(text).toContain('OVERDUE (45 days)');
          expect(text).toContain(
            `WARNING: deletion request ${deletions.legacy} was fulfilled with 5 of 5 affected item(s) not accounted for`,
          );
          expect(text).toContain('model collections-priority@1.1.0 NOT ACCOUNTED FOR');
          expect(text).toContain('kept: retention obligation (AML/CTF Act s 107)');
        }
        const [attached] = embeddedFiles(pdf);
        const bundle = JSON.parse(attached.toString('utf8')) as EvidenceBundle;
        expect(text).toContain(bundle.checkpoint.rootHash);
        expect(bundle.events.length).toBeGreaterThan(10);
        const jwks = (await test.anonymous().get('/.well-known/jwks.json').expect(200)).body;
        const checked = await verifyBundle(bundle, {
          jwks,
          pdf: { bytes: pdf, signature: String(response.headers['attest-signature']) },
        });
        expect({ name, failed: checked.checks.filter((c) => !c.ok) }).toEqual({ name, failed: [] });
      }
    });

    it('refuses an unknown report, format or period with 400 naming the field', async () => {
      for (const [path, field] of [
        ['/compliance/reports/apra-cps-230', 'report'],
        [`/compliance/reports/oaic-privacy${PERIOD}&format=docx`, 'format'],
        ['/compliance/reports/oaic-privacy?from=2026-12-01&to=2026-01-01', 'from'],
        ['/compliance/reports/oaic-privacy?model=Not_A_Model', 'model'],
      ]) {
        const response = await get('carol', path).expect(400);
        expect({ path, fields: Object.keys(response.body.errors as Body) }).toEqual({
          path,
          fields: [field],
        });
      }
    });
  });

  it('gives identical answers and tables after every projection is rebuilt from zero', async () => {
    const db = test.app.get(DataSource);
    const tables = async () => ({
      periods: await db.query(
        'SELECT * FROM compliance_serving_periods ORDER BY deployment_id, opened_revision',
      ),
      cards: await db.query('SELECT * FROM model_card_history ORDER BY model, revision'),
    });
    const answers = async () => ({
      a: await register('?from=2026-01-01&to=2026-02-28'),
      b: await register('?from=2026-03-01&to=2026-12-10'),
      byDefault: await register(''),
      personalData: (await get('carol', '/privacy/personal-data').expect(200)).body,
    });
    // Answers first: their X-Ledger-Position waits for the projections to catch up.
    const before = { answers: await answers(), tables: await tables() };
    expect(before.tables.periods).toHaveLength(6);
    expect(before.tables.cards).toHaveLength(5);

    // Reads above appended access-log events; let every projection pass the head before rebuilding.
    const all = await test.eventLog.readAll({ maxCount: 100_000 });
    await test
      .http()
      .get('/api/v1/compliance/adm-register')
      .set('X-Ledger-Position', String(all[all.length - 1].position))
      .expect(200);
    await test.runner.rebuild();

    expect({ answers: await answers(), tables: await tables() }).toEqual(before);
  });
});
