import type { Page } from 'playwright-core';
import { GovernanceClient } from '../support/governance-client';
import {
  ConsoleHarness,
  TABLET,
  accessibilityViolations,
  overflowsSideways,
  screenshot,
  signIn,
  startConsole,
  writeControls,
} from '../support/console-browser';
import { recordServiceRun } from '../support/service-evaluations';
import { versionArtifact } from '../support/stored-artifacts';

const sha = (fill: string) => `sha256:${fill.repeat(64).slice(0, 64)}`;
const MODEL = 'credit-risk';
const VERSION = '2.0.0';
const VERSION_PAGE = `/console/models/${MODEL}/versions/${VERSION}`;

/**
 * The approvals inbox in a browser (README, "Console"): a data scientist's high-risk version
 * requested from the console, the evidence behind it in each approver's inbox, four eyes refused
 * with the API's own sentence, two stages granted, and the server refusing whoever the API refuses.
 */
describe('console approvals inbox', () => {
  let harness: ConsoleHarness;
  let api: GovernanceClient;
  let approvalId: string;
  let evaluationId: string;
  let requestedAt: Date;
  const artifact = versionArtifact(VERSION);

  /** The form token of the console page `page` shows (every page's sign-out form carries one). */
  const csrfOf = (page: Page) => page.locator('input[name="_csrf"]').first().inputValue();

  /** A console form posted from the page's own browser profile (its cookies), redirects not followed. */
  const postForm = async (page: Page, path: string, form: Record<string, string>) =>
    page.request.post(path, { form: { _csrf: await csrfOf(page), ...form }, maxRedirects: 0 });

  const asPerson = async (name: string, roles: Parameters<typeof signIn>[2], viewport?: object) => {
    const page = await harness.newPage(viewport as never);
    await signIn(page, name, roles);
    await page.goto('/console/approvals');
    return page;
  };

  const section = (page: Page, heading: RegExp) =>
    page.locator('section', { has: page.getByRole('heading', { level: 2, name: heading }) });

  beforeAll(async () => {
    harness = await startConsole();
    const { test } = harness;
    api = new GovernanceClient(test);
    await api.signIn([
      ['ci', ['pipeline']],
      ['dana', ['data-scientist', 'risk-manager']],
      ['dev', ['data-scientist']],
    ]);
    // The data: a dataset version, a training run by dev, dana registers the high-risk version.
    await api.send('ci', '/datasets/credit-applications/versions', {
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
      ],
      location: 's3://lake/credit/2026-01.parquet',
      region: 'ap-southeast-2',
      lawfulBasis: 'necessary to assess the credit application (APP 3.2)',
      collectionNotice: 'https://bank.example/privacy/credit-notice-v5',
      retention: 'P7Y',
    });
    const run = await api.send('dev', '/training-runs', {
      model: MODEL,
      datasetVersions: [{ name: 'credit-applications', version: '2026-01' }],
      code: { repository: 'git@bank.example:risk/credit.git', commit: 'a1b2c3d4e5f6' },
      algorithm: 'gradient-boosted trees',
      hyperparameters: { depth: 6 },
    });
    await api.send('ci', `/training-runs/${run.id}/completion`, {
      metrics: { auc: 0.82 },
      validationApproach: 'out-of-time holdout 2025-Q4',
      artifact: {
        uri: `s3://models/${MODEL}/${VERSION}.onnx`,
        digest: artifact.digest,
        format: 'onnx',
      },
    });
    await api.send('dana', `/models/${MODEL}/versions`, {
      version: VERSION,
      runId: run.id,
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer consumer credit applications',
      intendedUse: 'pre-screening of unsecured personal loans',
      limitations: [],
      owner: 'head-of-credit-risk',
    });
    // The pipeline's own evaluation, then Attest's service run: what the high tier requires.
    await api.send('ci', `/models/${MODEL}/versions/${VERSION}/evaluations`, {
      datasetVersion: { name: 'credit-applications', version: '2026-01' },
      metrics: { auc: 0.81 },
      fairness: [],
      verdict: 'pass',
    });
    const serviceRun = await recordServiceRun(test.eventLog, {
      model: MODEL,
      version: VERSION,
      artifactDigest: artifact.digest,
      datasetVersion: { name: 'credit-applications', version: '2026-01', contentHash: sha('c1') },
    });
    evaluationId = serviceRun.event.data.evaluationId;
    await test.runner.waitFor(serviceRun.appended.position, 10_000);
  });
  afterAll(() => harness?.close());

  it('a data scientist requests approval from the console and their request reaches the risk manager’s inbox with its evidence', async () => {
    const dana = await asPerson('dana', ['data-scientist', 'risk-manager']);
    await expect(section(dana, /Waiting for your decision/).textContent()).resolves.toContain(
      'Nothing waits for your decision.',
    );
    // The version's page offers her the Request approval form; it posts to the console's write.
    await dana.goto(VERSION_PAGE);
    const form = dana.locator('form[data-write="request-approval"]');
    await form.getByLabel('Comment').fill('Validation report VR-2026-031 attached');
    const before = await harness.test.countEvents();
    requestedAt = new Date();
    const [response] = await Promise.all([
      dana.waitForResponse((r) => r.request().method() === 'POST'),
      form.getByRole('button', { name: 'Request approval' }).click(),
    ]);
    expect(response.status()).toBe(303);
    expect(response.headers().location).toBe(VERSION_PAGE);
    await dana.waitForURL((url) => url.pathname === VERSION_PAGE);
    expect(await harness.test.countEvents()).toBe(before + 1);
    const listed = await harness.test
      .http()
      .get(`/api/v1/approvals?model=${MODEL}&status=pending`)
      .expect(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      requestedBy: 'dana',
      environment: 'production',
      comment: 'Validation report VR-2026-031 attached',
    });
    approvalId = listed.body.items[0].id;

    // The author sees her own request waiting, and why it is not hers to decide.
    await dana.goto('/console/approvals');
    const waiting = section(dana, /Pending approvals you cannot decide \(1\)/);
    await expect(waiting.getByRole('row').nth(1).textContent()).resolves.toMatch(
      /credit-risk\s*2\.0\.0\s*production\s*stage 1 of 2 \(risk-manager\)\s*you[\s\S]*You registered this version and requested this approval\./,
    );
    await expect(writeControls(dana).count()).resolves.toBe(0);

    const rick = await asPerson('rick', ['risk-manager']);
    const mine = section(rick, /Waiting for your decision \(1\)/);
    const card = mine.getByRole('article', { name: 'credit-risk 2.0.0 for production' });
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('stage 1 of 2 (risk-manager)');
    expect(text).toContain(artifact.digest);
    expect(text).toMatch(/Registered by\s*dana/);
    expect(text).toMatch(/Trained by\s*dev/);
    expect(text).toContain('Validation report VR-2026-031 attached');
    const evaluations = card.getByRole('table');
    expect(await evaluations.getByRole('row').count()).toBe(3);
    await expect(evaluations.getByRole('row').nth(1).textContent()).resolves.toMatch(
      /pass\s*the pipeline/,
    );
    await expect(
      evaluations.getByRole('row', { name: new RegExp(evaluationId) }).textContent(),
    ).resolves.toMatch(/pass\s*\(relied on\)\s*Attest \(service run\)\s*production/);
    await expect(card.getByRole('button', { name: 'Grant stage 1' }).count()).resolves.toBe(1);
    await expect(section(rick, /you cannot decide \(0\)/).count()).resolves.toBe(1);
    expect(await accessibilityViolations(rick)).toEqual([]);
    await screenshot(rick, 'approvals-inbox');

    const tablet = await asPerson('rick', ['risk-manager'], TABLET);
    expect(await overflowsSideways(tablet)).toBe(false);
    expect(await accessibilityViolations(tablet)).toEqual([]);
  });

  it('two approvers grant their stages and the author is refused with the four-eyes sentence', async () => {
    // The author holds risk-manager: a form for her own request (a stale or forged one; the page
    // offers none) is refused by the approvals capability, and nothing is appended.
    const dana = await asPerson('dana', ['data-scientist', 'risk-manager']);
    const before = await harness.test.countEvents();
    const fields = { _csrf: await csrfOf(dana), stage: '0', decision: 'grant', comment: 'fine' };
    // Evaluated as text: the console's CSP allows no inline script, and tests have no DOM types.
    const response = dana.waitForResponse((r) =>
      r.url().endsWith(`/console/approvals/${approvalId}/decisions`),
    );
    await dana.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/console/approvals/${approvalId}/decisions';
      for (const [name, value] of Object.entries(${JSON.stringify(fields)})) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    })()`);
    const refused = await response;
    expect(refused.status()).toBe(403);
    await dana.waitForLoadState();
    await expect(dana.getByRole('alert').textContent()).resolves.toBe(
      'dana registered this version and requested this approval, so cannot decide on it',
    );
    await expect(section(dana, /you cannot decide \(1\)/).count()).resolves.toBe(1);
    expect(await harness.test.countEvents()).toBe(before);
    expect(await accessibilityViolations(dana)).toEqual([]);
    await screenshot(dana, 'approvals-refused');

    // The risk manager: a grant of a high-risk version needs a reason (the policy), then stage 1.
    const rick = await asPerson('rick', ['risk-manager']);
    const card = rick.getByRole('article', { name: 'credit-risk 2.0.0 for production' });
    const [noReason] = await Promise.all([
      rick.waitForResponse((r) => r.request().method() === 'POST'),
      card.getByRole('button', { name: 'Grant stage 1' }).click(),
    ]);
    expect(noReason.status()).toBe(422);
    await expect(rick.getByRole('alert').textContent()).resolves.toContain(
      'the approval policy requires a comment to grant a stage of a high-risk version',
    );
    expect(await harness.test.countEvents()).toBe(before);
    await card.getByLabel('Reason for your decision').fill('KS and PSI within limits');
    await Promise.all([
      rick.waitForURL((url) => url.searchParams.get('decided') === approvalId),
      card.getByRole('button', { name: 'Grant stage 1' }).click(),
    ]);
    expect(new URL(rick.url()).pathname).toBe('/console/approvals');
    await expect(rick.getByRole('status').first().textContent()).resolves.toBe(
      'You granted stage 1 of credit-risk 2.0.0 for production; it now waits for stage 2 of 2 (compliance-officer).',
    );
    await expect(
      section(rick, /you cannot decide \(1\)/)
        .getByRole('row')
        .nth(1)
        .textContent(),
    ).resolves.toContain('Needs the compliance-officer role; you granted an earlier stage of it.');
    expect(await harness.test.countEvents()).toBe(before + 1);

    // The compliance officer grants the last stage.
    const carol = await asPerson('carol', ['compliance-officer']);
    const last = carol.getByRole('article', { name: 'credit-risk 2.0.0 for production' });
    await expect(last.textContent()).resolves.toMatch(
      /Stage 1 \(risk-manager\) granted by rick[\s\S]*KS and PSI within limits/,
    );
    await last.getByLabel('Reason for your decision').fill('APP 1.7 disclosure checked');
    await Promise.all([
      carol.waitForURL((url) => url.searchParams.get('decided') === approvalId),
      last.getByRole('button', { name: 'Grant stage 2' }).click(),
    ]);
    await expect(carol.getByRole('status').first().textContent()).resolves.toBe(
      'You granted the last stage: credit-risk 2.0.0 for production is approved.',
    );
    await expect(section(carol, /Waiting for your decision \(0\)/).count()).resolves.toBe(1);

    const approval = await harness.test.http().get(`/api/v1/approvals/${approvalId}`).expect(200);
    expect(approval.body).toMatchObject({
      status: 'approved',
      grantedBy: ['rick', 'carol'],
      stages: [
        {
          role: 'risk-manager',
          status: 'granted',
          by: 'rick',
          comment: 'KS and PSI within limits',
        },
        {
          role: 'compliance-officer',
          status: 'granted',
          by: 'carol',
          comment: 'APP 1.7 disclosure checked',
        },
      ],
    });
    const version = await harness.test
      .http()
      .get(`/api/v1/models/${MODEL}/versions/${VERSION}`)
      .expect(200);
    expect(version.body.approvals).toEqual([
      expect.objectContaining({ approvalId, environment: 'production' }),
    ]);
  });

  it('shows the inbox as it stood at an instant, with no write control', async () => {
    const rick = await asPerson('rick', ['risk-manager']);
    const pending = await harness.test.http().get(`/api/v1/approvals/${approvalId}`).expect(200);
    const grantedAt = new Date(pending.body.stages[0].at as string);
    const between = new Date((requestedAt.getTime() + grantedAt.getTime()) / 2);
    await rick.goto(`/console/approvals?asOf=${between.toISOString()}`);
    const then = section(rick, /Waiting then for your decision \(1\)/);
    await expect(then.getByRole('article').count()).resolves.toBe(1);
    await expect(writeControls(rick).count()).resolves.toBe(0);
    await rick.goto(
      `/console/approvals?asOf=${new Date(requestedAt.getTime() - 60_000).toISOString()}`,
    );
    await expect(section(rick, /Waiting then for your decision \(0\)/).count()).resolves.toBe(1);
    await expect(section(rick, /Pending then, not yours to decide \(0\)/).count()).resolves.toBe(1);
  });

  it('refuses a decision from a regulator or a data scientist with a good form token, and bad fields by name', async () => {
    // A second request, so a decision could be recorded if the server let it.
    const second = await api.send('dev', `/models/${MODEL}/versions/${VERSION}/approval-requests`, {
      comment: 'again, for the record',
    });
    await harness.test.runner.waitFor(api.position, 10_000);
    const before = await harness.test.countEvents();

    const rita = await asPerson('rita', ['regulator']);
    await expect(writeControls(rita).count()).resolves.toBe(0);
    await expect(
      section(rita, /you cannot decide \(1\)/)
        .getByRole('row')
        .nth(1)
        .textContent(),
    ).resolves.toContain('Needs the risk-manager role.');
    const asRegulator = await postForm(rita, `/console/approvals/${second.id}/decisions`, {
      decision: 'grant',
      stage: '0',
      comment: 'fine',
    });
    expect(asRegulator.status()).toBe(403);
    const scientist = await asPerson('dev', ['data-scientist']);
    const asScientist = await postForm(scientist, `/console/approvals/${second.id}/decisions`, {
      decision: 'grant',
      comment: 'fine',
    });
    expect(asScientist.status()).toBe(403);

    const rick = await asPerson('rick', ['risk-manager']);
    const bad = await postForm(rick, `/console/approvals/${second.id}/decisions`, {
      decision: 'maybe',
      stage: 'first',
    });
    expect(bad.status()).toBe(400);
    const page = await bad.text();
    expect(page).toContain('<code>decision</code>: decision must be one of grant, reject');
    expect(page).toMatch(/<code>stage<\/code>: [^<]*integer/);
    const rejectWithout = await postForm(rick, `/console/approvals/${second.id}/decisions`, {
      decision: 'reject',
      comment: '   ',
    });
    expect(rejectWithout.status()).toBe(400);
    expect(await rejectWithout.text()).toContain('comment is required to reject');

    // A request for approval: the API's DTO names the field at fault; a regulator may not ask.
    const requests = `/console/models/${MODEL}/versions/${VERSION}/approval-requests`;
    const badEnvironment = await postForm(scientist, requests, { environment: 'Prod Env!' });
    expect(badEnvironment.status()).toBe(400);
    expect(await badEnvironment.text()).toContain('<code>environment</code>: environment must be');
    expect((await postForm(rita, requests, { comment: 'please' })).status()).toBe(403);
    expect(await harness.test.countEvents()).toBe(before);
  });
});
