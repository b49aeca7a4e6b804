import { type Page } from 'playwright-core';
import {
  ConsoleHarness,
  DESKTOP,
  TABLET,
  accessibilityViolations,
  overflowsSideways,
  screenshot,
  signIn,
  startConsole,
  writeControls,
} from '../support/console-browser';
import { creditRunBody, registerStoredDataset, runEvaluation } from '../support/evaluation-setup';
import { PASSING_SAMPLE } from '../support/service-evaluation-fixture';
import { creditDatasetCsv } from '../support/onnx';
import { seedSampleHistory } from '../support/sample-history';

/**
 * The console's inventory, model and model version pages (README, "Console"), over the sample
 * history (model `scorer`, version 1.0.0 serving in staging, one open alert) and an evaluation
 * Attest ran of that version on a holdout large enough for every fairness group.
 */
describe('console inventory and model version pages', () => {
  let harness: ConsoleHarness;
  let page: Page;
  let beforeRegistration: Date;
  let beforeEvaluation: Date;
  const versionUrl = '/console/models/scorer/versions/1.0.0';

  beforeAll(async () => {
    harness = await startConsole();
    const { test } = harness;
    beforeRegistration = new Date(Date.now() - 1000);
    await seedSampleHistory(test);
    beforeEvaluation = new Date();
    const ci = `Bearer ${await test.token('ci', ['pipeline'])}`;
    const rows = 2000;
    await registerStoredDataset(test, ci, {
      name: 'holdout-large',
      version: 'v1',
      csv: creditDatasetCsv({ ...PASSING_SAMPLE, rows }),
      rows,
    });
    const run = await runEvaluation<{ status: string }>(
      test,
      { requester: ci, reader: ci },
      { name: 'scorer', version: '1.0.0' },
      creditRunBody({ name: 'holdout-large', version: 'v1' }),
    );
    expect(run.status).toBe('succeeded');
    const head = await test.eventLog.headPosition();
    if (head) await test.runner.waitFor(head, 10_000);
    page = await harness.newPage(DESKTOP);
    await signIn(page, 'dana', ['data-scientist']);
  });
  afterAll(() => harness.close());

  const row = (p: Page, model: string) =>
    p.locator('#inventory-results tbody tr').filter({
      has: p.getByRole('rowheader', { name: model, exact: true }),
    });

  it('lists the model with its tier, class, stage, where it serves and its open alerts', async () => {
    await page.goto('/console');
    const scorer = row(page, 'scorer');
    await expect(scorer.count()).resolves.toBe(1);
    const cells = await scorer.locator('td').allTextContents();
    const text = cells.map((c) => c.replace(/\s+/g, ' ').trim());
    expect(text[1]).toBe('low');
    expect(text[2]).toBe('solely-automated');
    expect(text[3]).toBe('1.0.0 deployed');
    expect(text[5]).toBe('staging: 1.0.0');
    expect(text[6]).toBe('1');
    await expect(
      scorer.getByRole('link', { name: 'scorer', exact: true }).getAttribute('href'),
    ).resolves.toBe('/console/models/scorer');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'inventory');
  });

  it('filters by name without JavaScript: the form submits as a plain GET', async () => {
    const context = await harness.browser.newContext({
      baseURL: harness.baseUrl,
      javaScriptEnabled: false,
      viewport: DESKTOP,
    });
    try {
      const plain = await context.newPage();
      await signIn(plain, 'dana', ['data-scientist']);
      await plain.goto('/console');
      await plain.getByLabel('Search by name').fill('zzz');
      await Promise.all([
        plain.waitForURL((url) => url.searchParams.get('q') === 'zzz'),
        plain.getByRole('button', { name: 'Filter' }).click(),
      ]);
      await expect(row(plain, 'scorer').count()).resolves.toBe(0);
      await expect(plain.getByText('No model matches these filters.').count()).resolves.toBe(1);
      await plain.getByLabel('Search by name').fill('SCOR');
      await Promise.all([
        plain.waitForURL((url) => url.searchParams.get('q') === 'SCOR'),
        plain.getByRole('button', { name: 'Filter' }).click(),
      ]);
      await expect(row(plain, 'scorer').count()).resolves.toBe(1);
      await plain.goto('/console?riskTier=high');
      await expect(row(plain, 'scorer').count()).resolves.toBe(0);
      await plain.goto('/console?environment=staging&stage=deployed&riskTier=low');
      await expect(row(plain, 'scorer').count()).resolves.toBe(1);
    } finally {
      await context.close();
    }
  });

  it('filters as one types with htmx, swapping only the results and pushing the URL', async () => {
    await page.goto('/console');
    // A mark on the document: a full navigation would lose it, an htmx swap keeps it.
    const marker = await page.evaluate<string>("window.kept = 'same document'");
    await page.getByLabel('Search by name').pressSequentially('zzz');
    await page.getByText('No model matches these filters.').waitFor();
    await expect(row(page, 'scorer').count()).resolves.toBe(0);
    await page.waitForURL((url) => url.searchParams.get('q') === 'zzz');
    await page.getByLabel('Search by name').fill('');
    await page.getByLabel('Search by name').pressSequentially('sco');
    await row(page, 'scorer').waitFor();
    await page.waitForURL((url) => url.searchParams.get('q') === 'sco');
    // No full navigation happened: the page's own state survived both requests.
    await expect(page.evaluate<string>('window.kept')).resolves.toBe(marker);
  });

  it('shows the inventory as it stood before the model was registered without it', async () => {
    await page.goto(`/console?asOf=${beforeRegistration.toISOString()}`);
    await expect(row(page, 'scorer').count()).resolves.toBe(0);
    await expect(page.getByText('No model had been registered by then.').count()).resolves.toBe(1);
    await page.goto('/console');
    await expect(row(page, 'scorer').count()).resolves.toBe(1);
  });

  it('shows the model with its card and versions, and a 404 page for an unknown one', async () => {
    await page.goto('/console/models/scorer');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Model scorer',
    );
    const version = page.locator('table tbody tr').filter({
      has: page.getByRole('rowheader', { name: '1.0.0' }),
    });
    await expect(version.first().textContent()).resolves.toMatch(/deployed[\s\S]*dana/);
    await expect(
      page.getByRole('link', { name: '1.0.0' }).first().getAttribute('href'),
    ).resolves.toBe(versionUrl);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'model');
    const missing = await page.goto('/console/models/no-such-model');
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('no-such-model');
    const missingVersion = await page.goto('/console/models/scorer/versions/9.9.9');
    expect(missingVersion?.status()).toBe(404);
  });

  it('shows the version: lineage graph, training data, fairness, calibration, approvals', async () => {
    const response = await page.goto(versionUrl);
    expect(response?.status()).toBe(200);
    const svg = page.locator('svg.lineage[role="img"]');
    await expect(svg.getAttribute('aria-label')).resolves.toMatch(/^Lineage of scorer@1\.0\.0/);
    for (const name of ['loans@v1', 'scorer@1.0.0', 'scorer.staging', 'holdout-large@v1'])
      await expect(svg.locator(`g[data-node="${name}"]`).count()).resolves.toBe(1);
    await expect(svg.locator('g.node-training-run').count()).resolves.toBe(1);
    await expect(svg.locator('g.node-evaluation').count()).resolves.toBe(1);
    await expect(svg.locator('path.edge').count()).resolves.toBeGreaterThanOrEqual(4);
    const training = page.locator('table').filter({ hasText: 'was trained on' });
    await expect(training.locator('tbody tr').first().textContent()).resolves.toMatch(
      /loans@v1[\s\S]*AU[\s\S]*yes/,
    );
    const groups = page.locator('table.fairness-groups tbody tr');
    expect(await groups.count()).toBeGreaterThanOrEqual(4);
    await expect(groups.allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringMatching(/age_band/), expect.stringMatching(/sex/)]),
    );
    const verdicts = page.locator('table.fairness tbody tr');
    expect(await verdicts.count()).toBeGreaterThanOrEqual(1);
    await expect(verdicts.first().textContent()).resolves.toMatch(/pass|fail/);
    const calibration = page
      .locator('figure.chart')
      .filter({ hasText: 'Calibration of evaluation' });
    await expect(calibration.locator('svg circle').count()).resolves.toBe(10);
    await expect(calibration.locator('svg line.ideal').count()).resolves.toBe(1);
    const timeline = page.locator('ol.timeline').first();
    await expect(timeline.textContent()).resolves.toMatch(/requested for\s+staging\s+by\s+dana/);
    await expect(
      page.getByRole('link', { name: 'scorer.staging' }).first().getAttribute('href'),
    ).resolves.toBe('/console/deployments/scorer.staging');
    await expect(
      page.getByRole('link', { name: 'Download audit pack (PDF)' }).getAttribute('href'),
    ).resolves.toBe(`${versionUrl}/audit-pack`);
    await expect(page.locator('[data-open-alerts]').getAttribute('data-open-alerts')).resolves.toBe(
      '1',
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'model-version');
  });

  it('shows the version as it stood before its evaluation: no evaluation, no holdout in its lineage', async () => {
    const response = await page.goto(`${versionUrl}?asOf=${beforeEvaluation.toISOString()}`);
    expect(response?.status()).toBe(200);
    const svg = page.locator('svg.lineage');
    await expect(svg.locator('g[data-node="loans@v1"]').count()).resolves.toBe(1);
    await expect(svg.locator('g[data-node="holdout-large@v1"]').count()).resolves.toBe(0);
    await expect(svg.locator('g.node-evaluation').count()).resolves.toBe(0);
    await expect(page.getByText('No evaluation recorded by then.').count()).resolves.toBe(1);
    await expect(
      page.getByRole('link', { name: 'scorer', exact: true }).first().getAttribute('href'),
    ).resolves.toBe(
      `/console/models/scorer?asOf=${encodeURIComponent(beforeEvaluation.toISOString())}`,
    );
  });

  it('offers a data scientist the Request approval form with the API’s field names', async () => {
    await page.goto(versionUrl);
    const form = page.locator('form[data-write="request-approval"]');
    await expect(form.count()).resolves.toBe(1);
    await expect(form.getAttribute('method')).resolves.toBe('post');
    await expect(form.getAttribute('action')).resolves.toBe(`${versionUrl}/approval-requests`);
    await expect(form.locator('input[name="_csrf"]').count()).resolves.toBe(1);
    await expect(form.locator('textarea[name="comment"]').count()).resolves.toBe(1);
    await expect(form.locator('input[name="environment"]').inputValue()).resolves.toBe(
      'production',
    );
    const past = await page.goto(`${versionUrl}?asOf=${new Date().toISOString()}`);
    expect(past?.status()).toBe(200);
    await expect(writeControls(page).count()).resolves.toBe(0);
    await expect(page.getByText('open alerts as they stand now').count()).resolves.toBe(1);
  });

  it('shows a regulator the same pages with no write control', async () => {
    const regulator = await harness.newPage(DESKTOP);
    await signIn(regulator, 'rita', ['regulator']);
    for (const path of ['/console', '/console/models/scorer', versionUrl]) {
      const response = await regulator.goto(path);
      expect(response?.status()).toBe(200);
      await expect(writeControls(regulator).count()).resolves.toBe(0);
    }
    await expect(regulator.locator('svg.lineage').count()).resolves.toBe(1);
  });

  it('does not overflow sideways at tablet width', async () => {
    const tablet = await harness.newPage(TABLET);
    await signIn(tablet, 'dana', ['data-scientist']);
    for (const path of ['/console', '/console/models/scorer', versionUrl]) {
      await tablet.goto(path);
      expect({ path, overflows: await overflowsSideways(tablet) }).toEqual({
        path,
        overflows: false,
      });
    }
  });

  it('reaches the skip link, then the navigation, by keyboard from the start of the page', async () => {
    await page.goto('/console');
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string>('document.activeElement.textContent.trim()')).resolves.toBe(
      'Skip to content',
    );
    let inNav = false;
    for (let i = 0; i < 3 && !inNav; i++) {
      await page.keyboard.press('Tab');
      inNav = await page.evaluate<boolean>(
        `document.activeElement.closest('nav[aria-label="Sections"]') !== null`,
      );
    }
    expect(inNav).toBe(true);
  });
});
