import { type Page } from 'playwright-core';
import { SECTIONS } from '../../src/console/layout';
import { settled } from '../support/events';
import { seedSampleHistory } from '../support/sample-history';
import {
  ConsoleHarness,
  TABLET,
  accessibilityViolations,
  overflowsSideways,
  signIn,
  startConsole,
  writeControls,
} from '../support/console-browser';

/**
 * A regulator reading every page of the console (README, "Console"): each page answers, shows
 * no write control, has no serious accessibility violation, fits a tablet, and is recorded in
 * the access log as the regulator's API reads are.
 */
describe('a regulator reading every console page', () => {
  let harness: ConsoleHarness;
  let pages: string[];

  beforeAll(async () => {
    harness = await startConsole();
    const ids = await seedSampleHistory(harness.test);
    await harness.test.runner.waitFor(ids.position, 10_000);
    pages = [
      ...SECTIONS.map((section) => section.path),
      '/console/models/scorer',
      '/console/models/scorer/versions/1.0.0',
      '/console/deployments/scorer.staging',
      '/console/compliance/reports/asic-model-governance',
      '/console/compliance/reports/oaic-privacy',
      '/console/compliance/deletion-requests',
      '/console/ledger/verification',
    ];
  });
  afterAll(() => harness.close());

  /** Reads a page the way a person does: by its URL, then checks what they are shown. */
  async function read(page: Page, path: string) {
    const response = await page.goto(path);
    return {
      path,
      status: response?.status(),
      heading: (await page.getByRole('heading', { level: 1 }).textContent())?.trim(),
      writeControls: await writeControls(page).count(),
      // Any form that posts, marked or not, other than signing out.
      postingForms: await page.locator('form[method="post"]:not([data-session])').count(),
      violations: await accessibilityViolations(page),
    };
  }

  it('answers every page with no write control and no serious accessibility violation', async () => {
    const page = await harness.newPage();
    await signIn(page, 'rosa-regulator', ['regulator']);
    for (const path of pages) {
      const seen = await read(page, path);
      expect(seen).toEqual({
        path,
        status: 200,
        heading: expect.any(String),
        writeControls: 0,
        postingForms: 0,
        violations: [],
      });
    }
  });

  it('fits every page to a tablet’s width without sideways scrolling', async () => {
    const page = await harness.newPage(TABLET);
    await signIn(page, 'rosa-tablet', ['regulator']);
    for (const path of pages) {
      await page.goto(path);
      expect({ path, overflows: await overflowsSideways(page) }).toEqual({
        path,
        overflows: false,
      });
    }
  });

  it('reaches the skip link first and then the sections by keyboard alone', async () => {
    const page = await harness.newPage();
    await signIn(page, 'rosa-keys', ['regulator']);
    await page.goto('/console/compliance');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe(
      'Skip to content',
    );
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('main');
    await page.goto('/console/compliance');
    const reached: string[] = [];
    for (let i = 0; i < 3 + SECTIONS.length; i++) {
      await page.keyboard.press('Tab');
      reached.push(String(await page.evaluate('document.activeElement.textContent')).trim());
    }
    for (const section of SECTIONS) expect(reached).toContain(section.label);
  });

  it('records each page the regulator read in the access log, as API reads are', async () => {
    const page = await harness.newPage();
    await signIn(page, 'rosa-logged', ['regulator']);
    for (const path of pages) await page.goto(path);
    const [newest] = await harness.test.eventLog.readStream('access-log-rosa-logged', {
      direction: 'backwards',
      maxCount: 1,
    });
    await settled(harness.test.eventLog, newest.position);
    await harness.test.runner.waitFor(newest.position, 10_000);
    const logged = await harness.test
      .http()
      .get('/api/v1/compliance/access-log?actor=rosa-logged&kind=regulator-request&limit=1000')
      .expect(200);
    const urls = (logged.body.items as { url: string; status: number }[]).map((item) => item.url);
    for (const path of pages) expect(urls).toContain(path);
  });
});
