import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import type { Role } from '../../src/auth/roles';
import { TestApp, startTestApp } from './test-app';

/**
 * The console in a real browser (README, "Console"): the whole service listening on a port of
 * 127.0.0.1, and Debian's Chromium driven by playwright-core (`apt-get install chromium`; browser
 * downloads are impossible here, so `.ci/run` installs the package when it is missing).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Where the test run keeps a screenshot of each page, shown in the README. */
export const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'console');

export interface ConsoleHarness {
  test: TestApp;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  browser: Browser;
  /** A fresh browser profile (its own cookies), 1280 px wide unless told otherwise. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export const DESKTOP = { width: 1280, height: 900 };
export const TABLET = { width: 768, height: 1024 };

export async function startConsole(
  options: Parameters<typeof startTestApp>[0] & {
    /** Listen on this port (when the app's own config must name its address); default any. */
    port?: number;
  } = {},
): Promise<ConsoleHarness> {
  const { port = 0, ...appOptions } = options;
  const test = await startTestApp(appOptions);
  await test.app.listen(port, '127.0.0.1');
  const address = test.app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const contexts: BrowserContext[] = [];
  return {
    test,
    baseUrl,
    browser,
    newPage: async (viewport = DESKTOP) => {
      const context = await browser.newContext({ baseURL: baseUrl, viewport });
      contexts.push(context);
      return context.newPage();
    },
    close: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await test.close();
    },
  };
}

/** Signs in on the dev sign-in page as `name` with `roles`, and lands on the inventory. */
export async function signIn(page: Page, name: string, roles: Role[]): Promise<void> {
  await page.goto('/console/sign-in');
  await page.getByLabel('Name').fill(name);
  for (const role of roles) await page.locator(`input[name="roles"][value="${role}"]`).check();
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/console/sign-in')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it stands (expect none). */
export async function accessibilityViolations(
  page: Page,
): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  // Evaluated rather than added as a <script>: the console’s CSP allows no inline script.
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<unknown> } }).axe;
    // Violations only: passes and incomplete results are not collected (axe's resultTypes).
    return (await axe.run({ resultTypes: ['violations'] })) as {
      violations: {
        id: string;
        impact: string;
        help: string;
        nodes: { target: string[] }[];
      }[];
    };
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
}

/** Keeps a full-page screenshot of the page under docs/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The page's write controls: every console form that changes the ledger carries data-write. */
export function writeControls(page: Page) {
  return page.locator('form[data-write], [data-write] button, button[data-write]');
}

/** Whether the page is wider than the window (something overflows at this width). */
export async function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate<boolean>(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth + 1',
  );
}
