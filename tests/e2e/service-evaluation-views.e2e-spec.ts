import { type EvidenceBundle, verifyBundle } from '../../src/integrity/evidence-bundle';
import { embeddedFiles } from '../../src/integrity/pdf-attachment';
import type { LedgerPosition } from '../../src/ledger/event-log.port';
import type { ModelEvaluated } from '../../src/model-registry/model.events';
import { caughtUp } from '../support/events';
import { binary, flowing, pdfText } from '../support/pdf';
import { SAMPLE_ARTIFACT_DIGEST, seedSampleHistory } from '../support/sample-history';
import { modelEvaluated, seedModelEvents } from '../support/seed-events';
import { serviceEvaluated } from '../support/service-evaluation-fixture';
import { TestApp, startTestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';

type Body = Record<string, unknown>;

const EVALUATED_AT = '2026-11-20T10:00:00.000Z';
const PERIOD = '?from=2026-01-01&to=2026-11-30';
/** The dataset version seedSampleHistory registers for `tag`, as an evaluation names it. */
const holdout = (tag: string) => ({
  name: `loans${tag}`,
  version: 'v1',
  contentHash: `sha256:${'a'.repeat(64)}`,
});
const figure = (value: number) => value.toFixed(4);

/**
 * Five sample histories (scorer, scorer-a … scorer-d, each 1.0.0 serving in staging) with
 * evaluations appended to the ledger as the evaluation-run API records them: an evaluation
 * Attest computed that passes (scorer-a, beside one the pipeline posted), one that fails
 * (scorer-b), only a pipeline-posted one (scorer), none (scorer-c), and a passing one for another
 * environment than the one it serves in (scorer-d). The version view, its asOf view, the audit
 * pack and the ASIC report read them back.
 */
describe('where evaluations Attest computed show: version view, audit pack, ASIC report', () => {
  const time = new TestClock('2026-11-20T09:00:00.000Z');
  let test: TestApp;
  let officer: string;
  let position: LedgerPosition = '';
  let passing: ModelEvaluated;
  let posted: ModelEvaluated;
  let failing: ModelEvaluated;

  const get = (path: string) =>
    test
      .anonymous()
      .get(`/api/v1${path}`)
      .set('Authorization', officer)
      .set('X-Ledger-Position', position);

  beforeAll(async () => {
    test = await startTestApp({ clock: time.clock });
    officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    for (const tag of ['', '-a', '-b', '-c', '-d']) await seedSampleHistory(test, tag);
    time.set(EVALUATED_AT);
    // The sample versions are low risk: the verdicts are the low tier's rules for staging.
    passing = serviceEvaluated({
      model: 'scorer-a',
      version: '1.0.0',
      environment: 'staging',
      riskTier: 'low',
      disparityShift: 0,
      datasetVersion: holdout('-a'),
      artifactDigest: SAMPLE_ARTIFACT_DIGEST,
      evaluatedAt: EVALUATED_AT,
    });
    posted = modelEvaluated({
      model: 'scorer-a',
      version: '1.0.0',
      datasetVersion: holdout('-a'),
      evaluatedAt: EVALUATED_AT,
    });
    failing = serviceEvaluated({
      model: 'scorer-b',
      version: '1.0.0',
      environment: 'staging',
      riskTier: 'low',
      datasetVersion: holdout('-b'),
      evaluatedAt: EVALUATED_AT,
    });
    const elsewhere = serviceEvaluated({
      model: 'scorer-d',
      version: '1.0.0',
      environment: 'production',
      riskTier: 'low',
      disparityShift: 0,
      datasetVersion: holdout('-d'),
      evaluatedAt: EVALUATED_AT,
    });
    expect([passing, failing, elsewhere].map((e) => e.data.service?.verdict.outcome)).toEqual([
      'pass',
      'fail',
      'pass',
    ]);
    await seedModelEvents(test.eventLog, 'scorer-a', [passing, posted]);
    await seedModelEvents(test.eventLog, 'scorer-b', [failing]);
    await seedModelEvents(test.eventLog, 'scorer-d', [elsewhere]);
    ({ position } = await seedModelEvents(test.eventLog, 'scorer', [
      modelEvaluated({
        model: 'scorer',
        version: '1.0.0',
        datasetVersion: holdout(''),
        evaluatedAt: EVALUATED_AT,
      }),
    ]));
    expect(await caughtUp(test, position)).toBe(true);
  });
  afterAll(async () => {
    await test.close();
  });

  describe('the model version view', () => {
    it('says who computed each evaluation, and shows all an Attest run measured and decided', async () => {
      const version = (await get('/models/scorer-a/versions/1.0.0').expect(200)).body as Body & {
        evaluations: Body[];
      };
      const service = passing.data.service!;
      const { distribution: _baseline, ...measures } = service.measures;
      expect(version.evaluations).toEqual([
        expect.objectContaining({
          id: passing.data.evaluationId,
          performedBy: 'attest',
          verdict: 'pass',
          service: { ...service, measures },
        }),
        expect.objectContaining({
          id: posted.data.evaluationId,
          performedBy: 'pipeline',
          service: null,
        }),
      ]);
      const [attest] = version.evaluations as { service: typeof service }[];
      expect(attest.service).toMatchObject({
        runId: service.runId,
        environment: 'staging',
        inputs: {
          artifactDigest: SAMPLE_ARTIFACT_DIGEST,
          datasetContentHash: holdout('-a').contentHash,
        },
        verdict: { outcome: 'pass', passed: true },
      });
      expect(attest.service.measures.fairness.map((f) => f.attribute)).toEqual(['age_band', 'sex']);
      expect(attest.service.measures.fairness[0].groups.map((g) => g.group)).toEqual([
        '25-34',
        '35-64',
        '65+',
        '<25',
      ]);
      expect(attest.service.measures.champion).toEqual(service.measures.champion);
      expect(attest.service.verdict.results.map((r) => r.rule)).toContain(
        'minDemographicParityRatio',
      );
    });

    it('states the same evaluations as of an instant after them, and none before', async () => {
      const now = (await get('/models/scorer-a/versions/1.0.0').expect(200)).body as Body;
      const then = (await get(`/models/scorer-a/versions/1.0.0?asOf=${EVALUATED_AT}`).expect(200))
        .body as Body;
      expect(then.evaluations).toEqual(now.evaluations);
      const before = (
        await get('/models/scorer-a/versions/1.0.0?asOf=2026-11-20T09:59:59.999Z').expect(200)
      ).body as Body;
      expect(before.evaluations).toEqual([]);
    });

    it('shows an evaluation the pipeline posted before the field existed as the pipeline’s', async () => {
      const version = (await get('/models/scorer/versions/1.0.0').expect(200)).body as Body & {
        evaluations: Body[];
      };
      expect(version.evaluations).toEqual([
        expect.objectContaining({ performedBy: 'pipeline', service: null, verdict: 'pass' }),
      ]);
    });
  });

  describe('the audit pack', () => {
    it('has a section per evaluation: inputs, metrics, champion interval, fairness per group with thresholds, verdict and calibration chart; and still verifies', async () => {
      const response = await get('/models/scorer-a/versions/1.0.0/audit-pack')
        .buffer(true)
        .parse(binary)
        .expect(200);
      const pdf = response.body as Buffer;
      const text = flowing((await pdfText(pdf)).text);
      const service = passing.data.service!;
      const { metrics, champion, fairness } = service.measures;

      expect(text).toContain(`Evaluation ${passing.data.evaluationId} — computed by Attest`);
      expect(text).toContain(`Evaluation ${posted.data.evaluationId} — posted by the pipeline`);
      expect(text).toContain('Posted by the pipeline — not computed by Attest');
      for (const digest of [
        SAMPLE_ARTIFACT_DIGEST,
        holdout('-a').contentHash,
        service.inputs.championArtifactDigest as string,
      ]) {
        expect({ digest, shown: text.includes(digest) }).toEqual({ digest, shown: true });
      }
      expect(text).toContain(`onnxruntime ${service.inputs.onnxruntimeVersion}`);
      expect(text).toContain(`Attest version ${service.inputs.attestVersion}`);
      expect(text).toContain('Evaluation policy version 0 (the default policy)');
      expect(text).toContain(`AUC ${figure(metrics.auc)}`);
      expect(text).toContain(`Expected calibration error (ECE) ${figure(metrics.ece)}`);
      expect(text).toMatch(/Hosmer–Lemeshow statistic [\d.]+, 8 degrees of freedom, p [\d.]+/);
      expect(text).toContain(`Champion version ${service.settings.champion}`);
      expect(text).toContain(
        `95% DeLong interval [${figure(champion!.lower95)}, ${figure(champion!.upper95)}]`,
      );
      for (const attribute of fairness) {
        for (const group of attribute.groups) {
          const row = `${attribute.attribute} ${group.group} ${group.count} ${figure(group.selectionRate)} ${figure(group.tpr!)} ${figure(group.fpr!)}`;
          expect({ row, shown: text.includes(row) }).toEqual({ row, shown: true });
        }
      }
      const fairnessRules = service.verdict.results.filter((r) => r.attribute !== undefined);
      expect(fairnessRules.length).toBeGreaterThan(0);
      for (const rule of fairnessRules) {
        const row = `${rule.attribute} ${rule.rule} ${figure(rule.value!)} ${rule.comparison} ${figure(rule.threshold)} ${rule.status}`;
        expect({ row, shown: text.includes(row) }).toEqual({ row, shown: true });
      }
      expect(text).toContain('Verdict: pass (passed) — every rule in force:');
      expect(text).toContain(`minAuc — ${figure(metrics.auc)} >= 0.6000 pass`);
      expect(text).toContain(`Calibration of evaluation ${passing.data.evaluationId}`);
      expect(text).toContain(
        'Calibration chart: mean predicted probability against observed rate in each of 10 equal-count bins; the dashed diagonal is perfect calibration.',
      );
      expect(text).toContain('Mean predicted probability');
      expect(text).toContain('Observed rate');

      const [attached] = embeddedFiles(pdf);
      const bundle = JSON.parse(attached.toString('utf8')) as EvidenceBundle;
      const evaluatedEvents = bundle.events.filter((e) => e.type === 'ModelEvaluated');
      expect(evaluatedEvents.map((e) => e.data.evaluationId)).toEqual([
        passing.data.evaluationId,
        posted.data.evaluationId,
      ]);
      const jwks = (await test.anonymous().get('/.well-known/jwks.json').expect(200)).body;
      const verified = await verifyBundle(bundle, {
        jwks,
        pdf: { bytes: pdf, signature: String(response.headers['attest-signature']) },
      });
      expect(verified.checks.filter((c) => !c.ok)).toEqual([]);
    });
  });

  describe('the ASIC report', () => {
    const gaps = (findings: Body[]) =>
      findings
        .filter((f) => f.serviceEvaluation !== undefined)
        .map((f) => `${f.model}@${f.version} ${f.environment}: ${f.serviceEvaluation}`)
        .sort();

    it('finds every version serving without a passing evaluation Attest computed for its environment, and no other', async () => {
      const report = (await get(`/compliance/reports/asic-model-governance${PERIOD}`).expect(200))
        .body as Body & { openFindings: Body[] };
      expect(gaps(report.openFindings)).toEqual([
        'scorer-b@1.0.0 staging: failed',
        'scorer-c@1.0.0 staging: none',
        'scorer-d@1.0.0 staging: none',
        'scorer@1.0.0 staging: pipeline-only',
      ]);
      expect(report.openFindings).toContainEqual({
        model: 'scorer-b',
        version: '1.0.0',
        environment: 'staging',
        serviceEvaluation: 'failed',
        finding:
          'deployed in staging without a passing evaluation computed by Attest: every one run for this environment did not pass',
      });
      expect(report.openFindings.filter((f) => f.model === 'scorer-a')).toEqual(
        report.openFindings.filter(
          (f) => f.model === 'scorer-a' && f.serviceEvaluation === undefined,
        ),
      );
      // A period that ended before any of it served has no such finding.
      const earlier = (
        await get('/compliance/reports/asic-model-governance?from=2026-01-01&to=2026-06-30').expect(
          200,
        )
      ).body as Body & { openFindings: Body[] };
      expect(gaps(earlier.openFindings)).toEqual([]);
    });

    it('prints the same findings in the PDF, with the environment', async () => {
      const response = await get(`/compliance/reports/asic-model-governance${PERIOD}&format=pdf`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      const text = flowing((await pdfText(response.body as Buffer)).text);
      for (const [model, what] of [
        ['scorer', 'only evaluations posted by the pipeline'],
        ['scorer-b', 'every one run for this environment did not pass'],
        ['scorer-c', 'none recorded'],
        ['scorer-d', 'none recorded'],
      ]) {
        const row = `${model} 1.0.0 staging deployed in staging without a passing evaluation computed by Attest: ${what}`;
        expect({ row, shown: text.includes(row) }).toEqual({ row, shown: true });
      }
      expect(text).not.toContain(
        'scorer-a 1.0.0 staging deployed in staging without a passing evaluation computed by Attest',
      );
    });
  });
});
