import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
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
import { flowing, pdfText, binary } from '../support/pdf';
import { seedSampleHistory } from '../support/sample-history';
import { TestClock } from '../support/test-clock';

type Body = Record<string, unknown>;

const ASIC = '/console/compliance/reports/asic-model-governance';
const OAIC = '/console/compliance/reports/oaic-privacy';
const DELETIONS = '/console/compliance/deletion-requests';
const PAGES = ['/console/compliance', ASIC, OAIC, DELETIONS];
const DAY = 86_400_000;

/**
 * The console's compliance pages (README, "Console"): the ADM register, the ASIC and OAIC reports
 * on screen and for download exactly as the API hands them out, and the deletion requests with
 * the days left until each is due. History recorded with a test clock: the sample history on
 * 2 November 2026 (its deletion request received 1 November, due 1 December), then a second
 * request received 10 December; the pages are read on 15 December.
 */
describe('console compliance pages', () => {
  const time = new TestClock('2026-11-02T09:00:00.000Z');
  let harness: ConsoleHarness;
  let seeded: Awaited<ReturnType<typeof seedSampleHistory>>;
  let recent = '';

  const api = async (sub: string, roles: Parameters<ConsoleHarness['test']['token']>[1]) =>
    `Bearer ${await harness.test.token(sub, roles)}`;

  beforeAll(async () => {
    harness = await startConsole({ clock: time.clock });
    seeded = await seedSampleHistory(harness.test);
    time.set('2026-12-15T09:00:00.000Z');
    const requested = await harness.test
      .anonymous()
      .post('/api/v1/privacy/deletion-requests')
      .set('Authorization', await api('carol', ['compliance-officer']))
      .send({ subjectId: 'customer-77', receivedOn: '2026-12-10', channel: 'web form' })
      .expect(201);
    recent = requested.body.id;
    await harness.test.runner.waitFor(requested.body.ledgerPosition, 10_000);
  });
  afterAll(() => harness?.close());

  /** A table row's cells as a reader sees them, white space folded. */
  const cells = async (row: Locator) =>
    (await row.locator('th, td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());

  /** What a page answers to this browser's session (its cookies), status and body. */
  const fetchAs = (page: Page, url: string) => page.request.get(url, { maxRedirects: 0 });

  it('journey: a compliance officer downloads the ASIC report (PDF and JSON) and the audit pack', async () => {
    const page = await harness.newPage();
    await signIn(page, 'carol', ['compliance-officer']);
    await page.goto('/console/compliance');
    await Promise.all([
      page.waitForURL((url) => url.pathname === ASIC),
      page.getByRole('link', { name: 'ASIC model governance report' }).click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'ASIC model governance report',
    );
    // Every section of the report as a heading, in order, and the seeded model in its inventory.
    const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings).toEqual([
      '1. Scope, period and ledger checkpoint',
      '2. Model inventory',
      '3. Accountability',
      '4. REP 798 questions answered with evidence',
      '5. Fairness and disclosure',
      '6. Third-party models',
      '7. Monitoring breaches, incidents and deadlines',
      '8. Open findings',
      '9. Guardrail and practice mapping',
    ]);
    const inventory = page.getByRole('region', { name: 'Model inventory' });
    await expect(cells(inventory.getByRole('row', { name: /scorer 1\.0\.0/ }))).resolves.toEqual([
      'scorer 1.0.0',
      'deployed',
      'low',
      'solely-automated',
      'owner',
      'in-house',
      'staging 100% first deployed 2026-11-02',
    ]);
    await expect(
      page.getByText('Reports are built from the ledger as it stands now').count(),
    ).resolves.toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'compliance-asic-report');

    // The default period: the twelve months up to today by the service's clock.
    const query = '?from=2025-12-16&to=2026-12-15';
    const carol = await api('carol', ['compliance-officer']);
    const fromApi = (format: 'pdf' | 'json') =>
      harness.test
        .anonymous()
        .get(`/api/v1/compliance/reports/asic-model-governance${query}&format=${format}`)
        .set('Authorization', carol)
        .buffer(true)
        .parse(binary)
        .expect(200);

    // The PDF, through its link: a real PDF of the ASIC report naming the seeded model.
    const [pdfDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the signed PDF' }).click(),
    ]);
    expect(pdfDownload.suggestedFilename()).toBe('asic-model-governance-2025-12-16-2026-12-15.pdf');
    const pdf = await readFile((await pdfDownload.path())!);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = flowing((await pdfText(pdf)).text);
    expect(text).toContain('ASIC model governance report');
    expect(text).toContain('scorer 1.0.0');
    expect(text).toContain('portfolio, 2025-12-16 to 2026-12-15');
    // The same headers as the API's download of the same report.
    const href = await page
      .getByRole('link', { name: 'Download the signed PDF' })
      .getAttribute('href');
    expect(href).toBe(`${ASIC}/download?format=pdf&from=2025-12-16&to=2026-12-15`);
    const consolePdf = await fetchAs(page, href!);
    const apiPdf = await fromApi('pdf');
    expect(consolePdf.status()).toBe(200);
    expect(consolePdf.headers()['content-type']).toBe(apiPdf.headers['content-type']);
    expect(consolePdf.headers()['content-disposition']).toBe(apiPdf.headers['content-disposition']);
    expect(consolePdf.headers()['attest-checkpoint']).toBe(apiPdf.headers['attest-checkpoint']);
    expect((await consolePdf.body()).equals(apiPdf.body as Buffer)).toBe(true);
    expect(flowing((await pdfText(await consolePdf.body())).text)).toBe(
      flowing((await pdfText(apiPdf.body as Buffer)).text),
    );

    // The JSON, through its link: equal to the API's JSON for the same parameters.
    const [jsonDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the JSON' }).click(),
    ]);
    expect(jsonDownload.suggestedFilename()).toBe(
      'asic-model-governance-2025-12-16-2026-12-15.json',
    );
    const json = JSON.parse(await readFile((await jsonDownload.path())!, 'utf8')) as Body;
    const apiJson = await fromApi('json');
    expect(json).toEqual(JSON.parse((apiJson.body as Buffer).toString('utf8')));
    expect(json.report).toBe('asic-model-governance');
    expect((json.inventory as Body[]).map((v) => `${v.model}@${v.version}`)).toEqual([
      'scorer@1.0.0',
    ]);
    const consoleJson = await fetchAs(
      page,
      `${ASIC}/download?format=json&from=2025-12-16&to=2026-12-15`,
    );
    expect(consoleJson.headers()['content-type']).toBe(apiJson.headers['content-type']);
    expect(consoleJson.headers()['content-disposition']).toBe(
      apiJson.headers['content-disposition'],
    );

    // The model version's audit pack, from its entry in the register.
    await page.goto('/console/compliance');
    const [packDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Audit pack of scorer 1.0.0 (PDF)' }).click(),
    ]);
    expect(packDownload.suggestedFilename()).toBe('scorer-1.0.0-audit-pack.pdf');
    const pack = await readFile((await packDownload.path())!);
    expect(pack.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const packText = flowing((await pdfText(pack)).text);
    expect(packText).toContain('scorer');
    expect(packText).toContain('solely-automated');
    expect(packText).toContain('loans@v1');
  });

  it('shows the ADM register with the seeded model, and as the ledger stood before it served', async () => {
    const page = await harness.newPage();
    await signIn(page, 'carol', ['compliance-officer']);
    await page.goto('/console/compliance');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Automated decision-making register',
    );
    await expect(cells(page.getByRole('row', { name: /scorer 1\.0\.0/ }))).resolves.toEqual([
      'scorer 1.0.0 Audit pack of scorer 1.0.0 (PDF)',
      'solely-automated · low',
      'financial',
      'approve small limits',
      'owner · in-house',
      'staging: 2026-11-02 09:00 UTC to the end of the period',
      '—',
      '0 (0)',
      'no-evaluation no evaluation recorded',
    ]);
    await expect(page.getByText('APP 1.7–1.9 were in force on').count()).resolves.toBe(1);
    await expect(
      page.getByRole('link', { name: 'scorer 1.0.0', exact: true }).getAttribute('href'),
    ).resolves.toBe('/console/models/scorer/versions/1.0.0');
    await expect(
      page.getByRole('link', { name: 'staging', exact: true }).getAttribute('href'),
    ).resolves.toBe('/console/deployments/scorer.staging');
    for (const name of ['OAIC privacy report', 'Deletion requests'])
      await expect(page.getByRole('link', { name }).count()).resolves.toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'compliance');

    await page.goto('/console/compliance?asOf=2026-11-01T12:00');
    await expect(page.getByRole('row', { name: /scorer 1\.0\.0/ }).count()).resolves.toBe(0);
    await expect(
      page.getByText('No model version that makes or substantially assists decisions').count(),
    ).resolves.toBe(1);
    // Links keep the instant; the reports say they cannot follow it.
    const asicLink = page.getByRole('link', { name: 'ASIC model governance report' });
    await expect(asicLink.getAttribute('href')).resolves.toBe(
      `${ASIC}?asOf=2026-11-01T12%3A00%3A00.000Z`,
    );
    await asicLink.click();
    await expect(
      page.getByRole('status').filter({ hasText: 'time travel does not apply' }).count(),
    ).resolves.toBe(1);
  });

  it('shows the OAIC report with the overdue deletion request', async () => {
    const page = await harness.newPage();
    await signIn(page, 'carol', ['compliance-officer']);
    await page.goto(OAIC);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'OAIC privacy report',
    );
    const requests = page.getByRole('region', { name: 'Deletion requests' });
    await expect(
      requests.getByRole('row', { name: new RegExp(seeded.deletionRequestId) }).textContent(),
    ).resolves.toContain('overdue by 14 day(s)');
    await expect(
      requests.getByRole('row', { name: new RegExp(recent) }).textContent(),
    ).resolves.toContain('open, 25 day(s) left');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'compliance-oaic-report');
  });

  it('refuses a bad period, model or format with 400 naming the field', async () => {
    const page = await harness.newPage();
    await signIn(page, 'carol', ['compliance-officer']);
    await page.goto(OAIC);
    await page.getByLabel('From (first day)').fill('2026-12-01');
    await page.getByLabel('To (last day, inclusive)').fill('2026-01-01');
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === OAIC),
      page.getByRole('button', { name: 'Show the report' }).click(),
    ]);
    expect(response.status()).toBe(400);
    await expect(page.locator('.field-errors').textContent()).resolves.toContain(
      'from: from (2026-12-01) must not be after to (2026-01-01)',
    );
    for (const [url, field] of [
      [`${ASIC}?from=2026-13-01`, 'from'],
      [`${ASIC}?to=yesterday`, 'to'],
      [`${OAIC}?model=Not_A_Model`, 'model'],
      [`${ASIC}?colour=red`, 'colour'],
      [`${ASIC}/download?format=docx`, 'format'],
      ['/console/compliance/reports/apra-cps-230', 'report'],
      ['/console/compliance?from=2026-02-30', 'from'],
      [`${DELETIONS}?status=lost`, 'status'],
    ]) {
      const refused = await fetchAs(page, url);
      const fields = [...(await refused.text()).matchAll(/<li><code>([^<]+)<\/code>/g)].map(
        (m) => m[1],
      );
      expect({ url, status: refused.status(), fields }).toEqual({
        url,
        status: 400,
        fields: [field],
      });
    }
  });

  it('lists deletion requests with the days left until due, or how long overdue', async () => {
    const page = await harness.newPage();
    await signIn(page, 'carol', ['compliance-officer']);
    await page.goto('/console/compliance');
    await Promise.all([
      page.waitForURL((url) => url.pathname === DELETIONS),
      page.getByRole('link', { name: 'Deletion requests' }).click(),
    ]);
    // The figures against each request's due date, as the privacy API states it today.
    const listed = (
      await harness.test
        .anonymous()
        .get('/api/v1/privacy/deletion-requests')
        .set('Authorization', await api('carol', ['compliance-officer']))
        .expect(200)
    ).body as { items: { id: string; dueOn: string }[]; today: string };
    expect(listed.today).toBe('2026-12-15');
    const dueOf = new Map(listed.items.map((r) => [r.id, r.dueOn]));
    expect([dueOf.get(seeded.deletionRequestId), dueOf.get(recent)]).toEqual([
      '2026-12-01',
      '2027-01-09',
    ]);
    const days = (id: string) => (Date.parse(dueOf.get(id)!) - Date.parse(listed.today)) / DAY;
    const cell = (id: string) =>
      page
        .getByRole('row', { name: new RegExp(id) })
        .getByRole('cell')
        .nth(3)
        .textContent();
    await expect(cell(seeded.deletionRequestId)).resolves.toBe(
      `overdue by ${-days(seeded.deletionRequestId)} days`,
    );
    await expect(cell(recent)).resolves.toBe(`${days(recent)} days left`);
    expect([days(seeded.deletionRequestId), days(recent)]).toEqual([-14, 25]);
    // The filter is the API's: overdue only leaves the overdue one.
    await page.getByLabel('Overdue').selectOption('true');
    await page.getByRole('button', { name: 'Show requests' }).click();
    await page.waitForURL((url) => url.searchParams.get('overdue') === 'true');
    await expect(page.getByRole('row', { name: new RegExp(recent) }).count()).resolves.toBe(0);
    await expect(
      page.getByRole('row', { name: new RegExp(seeded.deletionRequestId) }).count(),
    ).resolves.toBe(1);
    await page.goto(DELETIONS);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'compliance-deletion-requests');
  });

  it('gives a data scientist no deletion requests: no link, and a 403 page', async () => {
    const page = await harness.newPage();
    await signIn(page, 'dana', ['data-scientist']);
    await page.goto('/console/compliance');
    await expect(
      page.getByRole('link', { name: 'ASIC model governance report' }).count(),
    ).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Deletion requests' }).count()).resolves.toBe(0);
    const response = await page.goto(DELETIONS);
    expect(response?.status()).toBe(403);
    expect(response?.headers()['content-type']).toContain('text/html');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('compliance-officer');
    await expect(page.getByRole('row', { name: new RegExp(recent) }).count()).resolves.toBe(0);
  });

  it('lets a regulator read every compliance page, with no write control', async () => {
    const page = await harness.newPage();
    await signIn(page, 'rita', ['regulator']);
    for (const url of PAGES) {
      const response = await page.goto(url);
      expect({ url, status: response?.status() }).toEqual({ url, status: 200 });
      await expect(writeControls(page).count()).resolves.toBe(0);
      await expect(page.locator('form[method="post"]:not([data-session])').count()).resolves.toBe(
        0,
      );
    }
    const pdf = await fetchAs(page, `${OAIC}/download?format=pdf`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('passes axe and does not overflow sideways at tablet width', async () => {
    const page = await harness.newPage(TABLET);
    await signIn(page, 'carol', ['compliance-officer']);
    for (const url of PAGES) {
      await page.goto(url);
      expect({ url, violations: await accessibilityViolations(page) }).toEqual({
        url,
        violations: [],
      });
      expect({ url, overflows: await overflowsSideways(page) }).toEqual({
        url,
        overflows: false,
      });
    }
  });
});
