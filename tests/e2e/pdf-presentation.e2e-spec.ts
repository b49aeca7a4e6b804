import { type EvidenceBundle } from '../../src/integrity/evidence-bundle';
import { embeddedFiles } from '../../src/integrity/pdf-attachment';
import { binary, flowing, pdfText } from '../support/pdf';
import { recordPassingServiceEvaluation } from '../support/service-evaluation-fixture';
import { STAFF } from '../support/staff';
import { TestClock } from '../support/test-clock';
import { storeVersionArtifact, versionArtifact } from '../support/stored-artifacts';
import { TestApp, startTestApp } from '../support/test-app';

type Body = Record<string, unknown>;
type Stage = { stage: number; role: string; status: string; by: string | null; at: string | null };

const DATASET = 'loan-applications-2026-q3';
const DATASET_VERSION = '2026.09.30-rc2';
const MODEL = 'retail-credit-limit-scorer';
const VERSION = '2026.10.0-rc1';
const PERIOD = '?from=2026-09-01&to=2026-11-30';

/** What String(date), toString() and toUTCString() print: a weekday name before the date. */
const WEEKDAY_DATE =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? (?:\d{1,2} )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/;

/** The text of a PDF between two headings, white space folded. */
const section = (text: string, from: string, to: string) =>
  text.slice(text.indexOf(from), text.indexOf(to, text.indexOf(from)));

/** No date or time in a form other than ISO 8601. */
function expectOnlyIsoDates(name: string, text: string): void {
  const found = {
    name,
    gmt: /GMT|Coordinated Universal Time/.test(text),
    weekday: text.match(WEEKDAY_DATE)?.[0] ?? null,
    locale: text.match(/\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/)?.[0] ?? null,
    spaced: text.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/)?.[0] ?? null,
  };
  expect(found).toEqual({ name, gmt: false, weekday: null, locale: null, spaced: null });
}

/**
 * A model version with a long dataset name, two approval stages and two deletion requests, recorded
 * through the API with a test clock; its audit pack and the compliance report PDFs read back as
 * text: every date ISO 8601, names whole in the lineage, stages numbered as the API numbers them.
 */
describe('what the PDFs print: ISO dates, whole lineage names, stage numbers as the API gives them', () => {
  const time = new TestClock('2026-09-30T08:15:42.123Z');
  let test: TestApp;
  const tokens = new Map<string, string>();
  let position = '';
  let approvalId = '';
  let runId = '';
  const deletions = { open: '', fulfilled: '' };

  const send = async (who: string, path: string, body: object) => {
    const response = await test
      .anonymous()
      .post(`/api/v1${path}`)
      .set('Authorization', `Bearer ${tokens.get(who)}`)
      .send(body);
    if (response.status !== 201) {
      throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    position = response.body.ledgerPosition;
    return response.body as { id: string };
  };
  const get = (who: string, path: string) =>
    test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', `Bearer ${tokens.get(who)}`)
      .set('X-Ledger-Position', position);
  const pdf = async (path: string) => {
    const response = await get('carol', path).buffer(true).parse(binary).expect(200);
    const bytes = response.body as Buffer;
    const [attached] = embeddedFiles(bytes);
    return {
      text: flowing((await pdfText(bytes)).text),
      bundle: JSON.parse(attached.toString('utf8')) as EvidenceBundle,
    };
  };

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
    for (const [sub, roles] of STAFF) tokens.set(sub, await test.token(sub, roles));
    await send('ci', `/datasets/${DATASET}/versions`, {
      version: DATASET_VERSION,
      contentHash: `sha256:${'a1'.repeat(32)}`,
      rows: 48_213,
      schema: [
        { name: 'income', type: 'number', personal: true, sensitive: false, category: 'financial' },
      ],
      location: `s3://lake/${DATASET}/${DATASET_VERSION}.parquet`,
      region: 'ap-southeast-2',
      lawfulBasis: 'consent',
      collectionNotice: 'https://bank.example/privacy',
      retention: 'P7Y',
    });
    time.set('2026-10-01T06:07:08.009Z');
    runId = (
      await send('ci', '/training-runs', {
        model: MODEL,
        datasetVersions: [{ name: DATASET, version: DATASET_VERSION }],
        code: { repository: 'git@bank.example:ml/limits.git', commit: 'a1b2c3d4e5f6' },
        algorithm: 'gradient-boosted trees',
        hyperparameters: { depth: 6 },
      })
    ).id;
    await send('ci', `/training-runs/${runId}/completion`, {
      metrics: { auc: 0.81 },
      validationApproach: 'out-of-time holdout',
      artifact: {
        uri: 's3://models/limits.onnx',
        digest: versionArtifact(VERSION).digest,
        format: 'onnx',
      },
    });
    await send('dana', `/models/${MODEL}/versions`, {
      version: VERSION,
      runId,
      riskTier: 'high',
      decisionClass: 'solely-automated',
      personalInformationKinds: ['financial'],
      decisions: 'credit limit increases',
      intendedUse: 'retail credit limits',
      limitations: [],
      owner: 'head-of-retail-credit',
    });
    position = (
      await storeVersionArtifact(test, `Bearer ${tokens.get('dana')}`, {
        model: MODEL,
        version: VERSION,
        tag: VERSION,
      })
    ).ledgerPosition;
    await send('ci', `/models/${MODEL}/versions/${VERSION}/evaluations`, {
      datasetVersion: { name: DATASET, version: DATASET_VERSION },
      metrics: { auc: 0.8 },
      fairness: [],
      verdict: 'pass',
    });
    // The approval gate asks for a passing evaluation Attest computed for production.
    position = (
      await recordPassingServiceEvaluation(test.eventLog, {
        model: MODEL,
        version: VERSION,
        environment: 'production',
        riskTier: 'high',
        datasetVersion: {
          name: DATASET,
          version: DATASET_VERSION,
          contentHash: `sha256:${'a1'.repeat(32)}`,
        },
        artifactDigest: versionArtifact(VERSION).digest,
        evaluatedAt: time.iso(),
      })
    ).appended.position;
    approvalId = (
      await send('dana', `/models/${MODEL}/versions/${VERSION}/approval-requests`, {
        environment: 'production',
      })
    ).id;
    time.set('2026-10-02T10:11:12.345Z');
    await send('rick', `/approvals/${approvalId}/decisions`, {
      decision: 'grant',
      comment: 'holdout AUC within appetite',
    });
    time.set('2026-10-03T13:14:15.678Z');
    await send('carol', `/approvals/${approvalId}/decisions`, {
      decision: 'grant',
      comment: 'disclosure reviewed',
    });
    time.set('2026-10-05T09:00:00.000Z');
    await send('rick', '/deployments', {
      model: MODEL,
      version: VERSION,
      environment: 'production',
      strategy: 'full',
      approvalId,
    });
    // Deletion requests: one assessed and open, due 2 December; one fulfilled.
    time.set('2026-11-03T09:30:00.000Z');
    const affected = {
      datasetVersions: [{ name: DATASET, version: DATASET_VERSION }],
      models: [{ name: MODEL, version: VERSION }],
      deployments: [`${MODEL}.production`],
    };
    deletions.open = (
      await send('carol', '/privacy/deletion-requests', {
        subjectId: 'customer-41',
        receivedOn: '2026-11-02',
      })
    ).id;
    await send('carol', `/privacy/deletion-requests/${deletions.open}/assessment`, { affected });
    deletions.fulfilled = (
      await send('carol', '/privacy/deletion-requests', {
        subjectId: 'customer-42',
        receivedOn: '2026-11-03',
      })
    ).id;
    await send('carol', `/privacy/deletion-requests/${deletions.fulfilled}/assessment`, {
      affected,
    });
    time.set('2026-11-20T17:45:00.250Z');
    await send('carol', `/privacy/deletion-requests/${deletions.fulfilled}/fulfilment`, {
      replacementDatasetVersions: [],
      retrainedModels: [],
      // Each assessed item kept under the retention obligation, so nothing is left unaccounted.
      exceptions: [
        { covers: { kind: 'dataset-version', id: `${DATASET}@${DATASET_VERSION}` } },
        { covers: { kind: 'model', id: `${MODEL}@${VERSION}` } },
        { covers: { kind: 'deployment', id: `${MODEL}.production` } },
      ].map((exception) => ({ ...exception, reason: 'retention obligation' })),
    });
    time.set('2026-12-15T09:00:00.000Z');
    await send('carol', '/ledger/checkpoints', {});
  }, 120_000);
  afterAll(() => test.close());

  const deletionRequests = async () =>
    Promise.all(
      [deletions.open, deletions.fulfilled].map(
        async (id) => (await get('carol', `/privacy/deletion-requests/${id}`).expect(200)).body,
      ),
    ) as Promise<{ receivedOn: string; dueOn: string; fulfilledAt: string | null }[]>;
  const approvalStages = async () =>
    (await get('carol', `/approvals/${approvalId}`).expect(200)).body.stages as Stage[];

  it('prints every date of the audit pack as ISO 8601, as the API gives it', async () => {
    const { text, bundle } = await pdf(`/models/${MODEL}/versions/${VERSION}/audit-pack`);
    expectOnlyIsoDates('audit pack', text);
    const requests = await deletionRequests();
    expect(requests.map((r) => [r.receivedOn, r.dueOn])).toEqual([
      ['2026-11-02', '2026-12-02'],
      ['2026-11-03', '2026-12-03'],
    ]);
    const deletionSection = section(text, '9. Deletion requests', 'Appendix: every cited event');
    for (const r of requests) {
      expect(deletionSection).toContain(r.receivedOn);
      expect(deletionSection).toContain(r.dueOn);
      if (r.fulfilledAt) expect(deletionSection).toContain(r.fulfilledAt.slice(0, 10));
    }
    // Instants whole, with milliseconds, as the API and the ledger have them.
    const version = (await get('carol', `/models/${MODEL}/versions/${VERSION}`).expect(200))
      .body as Body;
    expect(text).toContain(String(version.registeredAt));
    const approvals = section(text, '6. Approvals', '7. Deployments');
    for (const stage of await approvalStages()) expect(approvals).toContain(String(stage.at));
    expect(text).toContain(bundle.checkpoint.timestamp);
    for (const event of bundle.events) expect(text).toContain(event.metadata.occurredAt);
  });

  it('shows the dataset, run, model and deployment of the lineage whole', async () => {
    const { text } = await pdf(`/models/${MODEL}/versions/${VERSION}/audit-pack`);
    const lineage = section(text, '2. Lineage', '3. Training and evaluation data');
    expect(lineage).toContain(DATASET);
    expect(lineage).toContain(DATASET_VERSION);
    expect(lineage).toContain(MODEL);
    expect(lineage).toContain(VERSION);
    // Longer than a box is wide, the run id and the deployment wrap over two lines, never cut.
    expect(lineage.replace(/ /g, '')).toContain(runId);
    expect(lineage.replace(/ /g, '')).toContain(`${MODEL}.production`);
    // Only digests are shortened there, by their middle (they are whole in section 3).
    const digest = `sha256:${'a1'.repeat(32)}`;
    expect(lineage).toContain(`${digest.slice(0, 16)}…${digest.slice(-8)}`);
    expect(lineage.replace(/sha256:[0-9a-f]+…[0-9a-f]+/g, '')).not.toContain('…');
  });

  it('numbers approval stages in the audit pack as the API does', async () => {
    const { text } = await pdf(`/models/${MODEL}/versions/${VERSION}/audit-pack`);
    const stages = await approvalStages();
    expect(stages.map((s) => s.stage)).toEqual([0, 1]);
    const approvals = section(text, '6. Approvals', '7. Deployments');
    const printed = [...approvals.matchAll(/stage (\d+)\b/g)].map((m) => Number(m[1]));
    expect(printed).toEqual(stages.map((s) => s.stage));
    for (const s of stages) expect(approvals.replace(/ /g, '')).toContain(s.role);
    expect(approvals).toContain('Stages are numbered from 0, as the API');
  });

  it('prints the report PDFs’ dates as ISO 8601 and their approvers’ stages as the API does', async () => {
    const stages = await approvalStages();
    const requests = await deletionRequests();
    for (const name of ['asic-model-governance', 'oaic-privacy']) {
      const { text, bundle } = await pdf(`/compliance/reports/${name}${PERIOD}&format=pdf`);
      const report = (await get('carol', `/compliance/reports/${name}${PERIOD}`).expect(200))
        .body as Body;
      expectOnlyIsoDates(name, text);
      expect(text).toContain(`Generated ${String(report.generatedAt)}`);
      expect(text).toContain(`Signed ${bundle.checkpoint.timestamp}`);
      expect(text).toContain('2026-09-01 to 2026-11-30');
      if (name === 'oaic-privacy') {
        for (const r of requests) expect(text).toContain(`${r.receivedOn} · ${r.dueOn}`);
        expect(text).toContain(`fulfilled ${String(requests[1].fulfilledAt).slice(0, 10)}`);
      } else {
        const accountable = (report.accountability as Body[]).find((a) => a.model === MODEL);
        const approvers = (accountable?.approvals as { approvers: Stage[] }[])[0].approvers;
        expect(approvers.map((a) => a.stage)).toEqual(stages.map((s) => s.stage));
        const printed = [...text.matchAll(/stage (\d+) ([a-z-]+): ([a-z]+), (\d{4}-\d{2}-\d{2})/g)];
        expect(printed.map((m) => [Number(m[1]), m[2], m[3], m[4]])).toEqual(
          stages.map((s) => [s.stage, s.role, s.by, String(s.at).slice(0, 10)]),
        );
      }
    }
  });
});
