import { type Page } from 'playwright-core';
import {
  ConsoleHarness,
  accessibilityViolations,
  screenshot,
  signIn,
  startConsole,
} from '../support/console-browser';

/** Signing in and out of the console with the built-in dev issuer (README, "Console"). */
describe('console sign-in with the dev issuer', () => {
  let harness: ConsoleHarness;
  let page: Page;

  beforeAll(async () => {
    harness = await startConsole();
    page = await harness.newPage();
  });
  afterAll(() => harness.close());

  it('sends a browser without a session to the clearly labelled dev sign-in page', async () => {
    await page.goto('/console?asOf=2026-01-01T00:00');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/console?asOf=2026-01-01T00:00');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Development sign-in',
    );
    await expect(
      page.getByText('anyone reaching it can pick any name and roles').count(),
    ).resolves.toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');
  });

  it('refuses a sign-in without a role, naming the field, and sets no session', async () => {
    await page.goto('/console/sign-in');
    await page.getByLabel('Name').fill('dana');
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().endsWith('/console/sign-in') && r.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(response.status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Roles: pick at least one',
    );
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => c.name)).not.toContain('attest_session');
  });

  it('signs in with an HttpOnly, SameSite=Strict session cookie carrying a token the API accepts', async () => {
    await signIn(page, 'dana', ['data-scientist']);
    const session = (await page.context().cookies()).find((c) => c.name === 'attest_session');
    expect(session).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/console',
      secure: false,
    });
    const api = await harness.test
      .anonymous()
      .get('/api/v1/models')
      .set('Authorization', `Bearer ${session!.value}`);
    expect(api.status).toBe(200);
  });

  it('refuses a write whose CSRF token is missing or forged, and signs out with a good one', async () => {
    const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const forged = await harness.test
      .anonymous()
      .post('/console/sign-out')
      .set('Cookie', cookies)
      .type('form')
      .send({ _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('this form did not come from this console session');
    await page.goto('/console/sign-in');
    await page.goto('/console');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/console/sign-in'),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('attest_session');
    await page.goto('/console');
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
  });

  it('marks the cookie Secure when the browser reached Attest over https through a trusted proxy', async () => {
    const signInPage = await harness.test.anonymous().get('/console/sign-in');
    const csrfCookie = String(signInPage.headers['set-cookie']).split(';')[0];
    const token = /name="_csrf" value="([^"]+)"/.exec(signInPage.text)![1];
    const response = await harness.test
      .anonymous()
      .post('/console/sign-in')
      .set('Cookie', csrfCookie)
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send({ _csrf: token, name: 'rick', roles: 'risk-manager' });
    expect(response.status).toBe(303);
    const session = ([] as string[])
      .concat(response.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('attest_session='));
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
  });
});
