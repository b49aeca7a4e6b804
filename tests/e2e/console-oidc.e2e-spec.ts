import { decodeJwt } from 'jose';
import type { BrowserContext, Page } from 'playwright-core';
import { ConsoleHarness, accessibilityViolations, startConsole } from '../support/console-browser';
import {
  TestIdentityProvider,
  freePort,
  startIdentityProvider,
} from '../support/oidc-test-provider';

/**
 * Signing in to the console with a real OpenID Connect provider (README, "Console"): oidc-provider
 * in a child process at http://localhost:<port> (another site than the app at 127.0.0.1), its own
 * login and consent pages, JWT access tokens for Attest's API carrying the account's roles.
 */
describe('console sign-in with an OpenID Connect provider', () => {
  let idp: TestIdentityProvider;
  let harness: ConsoleHarness;

  beforeAll(async () => {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider({
      appUrl,
      clientId: 'attest-console',
      clientSecret: 'console-client-secret-for-tests',
      audience: 'attest-api',
      accounts: {
        rita: ['risk-manager', 'compliance-officer'],
        tess: ['scoring'],
        mallory: ['admin'],
      },
      outsiders: ['mallory'],
    });
    harness = await startConsole({
      port,
      env: {
        AUTH_JWKS_URL: idp.jwksUrl,
        AUTH_ISSUER: idp.issuer,
        AUTH_AUDIENCE: idp.audience,
        CONSOLE_OIDC_ISSUER: idp.issuer,
        CONSOLE_OIDC_CLIENT_ID: 'attest-console',
        CONSOLE_OIDC_CLIENT_SECRET: 'console-client-secret-for-tests',
        CONSOLE_PUBLIC_URL: appUrl,
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await idp?.close();
  });

  const onProvider = (page: Page) => new URL(page.url()).origin === idp.issuer;
  const onApp = (url: URL, path: string) => url.origin === harness.baseUrl && url.pathname === path;

  /** From the console, through the provider's login and consent pages, as `login`. */
  async function signInAtProvider(page: Page, login: string): Promise<void> {
    await page.goto('/console');
    expect(onProvider(page)).toBe(true);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    // The consent page follows the login page (Playwright waits for its button).
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  const sessionOf = async (context: BrowserContext) =>
    (await context.cookies(harness.baseUrl + '/console')).find((c) => c.name === 'attest_session');

  it('offers no dev sign-in: the sign-in page starts the code flow with PKCE, state and nonce', async () => {
    const start = await harness.test.anonymous().get('/console/sign-in?next=/console/ledger');
    expect(start.status).toBe(303);
    const location = new URL(start.headers.location);
    expect(location.origin).toBe(idp.issuer);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'attest-console',
      redirect_uri: `${harness.baseUrl}/console/callback`,
      code_challenge_method: 'S256',
      scope: 'openid profile',
    });
    for (const name of ['state', 'nonce', 'code_challenge'])
      expect(location.searchParams.get(name)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const transaction = ([] as string[])
      .concat(start.headers['set-cookie'] ?? [])
      .find((c) =>
        c.startsWith(`attest_oidc_${location.searchParams.get('state')!.slice(0, 16)}=`),
      );
    expect(transaction).toMatch(/; Max-Age=600/);
    expect(transaction).toMatch(/; Path=\/console\/callback/);
    expect(transaction).toMatch(/; HttpOnly/);
    expect(transaction).toMatch(/; SameSite=Lax/);
    const posted = await harness.test
      .anonymous()
      .post('/console/sign-in')
      .type('form')
      .send({ name: 'eve', roles: 'admin' });
    expect(posted.status).toBe(404);
  });

  it('sends a browser without a session to the provider and back, signed in with the provider’s roles', async () => {
    const page = await harness.newPage();
    const callback = page.waitForResponse((r) => r.url().includes('/console/callback?'));
    await signInAtProvider(page, 'rita');
    // The callback answers a page, whose own navigation carries the Strict session cookie.
    expect((await callback).status()).toBe(200);
    await page.waitForURL((url) => onApp(url, '/console'));
    await expect(page.locator('header .who').textContent()).resolves.toMatch(
      /Signed in as\s+rita\s+\(risk-manager, compliance-officer\)/,
    );
    const session = await sessionOf(page.context());
    expect(session).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/console',
      secure: false,
    });
    // It lasts as long as the access token it holds.
    const { exp, aud } = decodeJwt(session!.value);
    expect(aud).toBe('attest-api');
    expect(Math.abs(session!.expires - exp!)).toBeLessThanOrEqual(2);
    // The session is the provider's access token: the API takes it as it is.
    const api = await harness.test
      .anonymous()
      .get('/api/v1/models')
      .set('Authorization', `Bearer ${session!.value}`);
    expect(api.status).toBe(200);
    const cookies = await page.context().cookies(harness.baseUrl + '/console/callback');
    expect(cookies.filter((c) => c.name.startsWith('attest_oidc_'))).toEqual([]);

    // Signing out ends the session here and at the provider.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => onApp(url, '/console/signed-out'));
    expect(await sessionOf(page.context())).toBeUndefined();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto('/console');
    expect(onProvider(page)).toBe(true);
    await expect(page.locator('input[name="login"]').count()).resolves.toBe(1);
  });

  it('finishes a sign-in started in one tab after another tab started its own', async () => {
    const first = await harness.newPage();
    await first.goto('/console/ledger');
    expect(onProvider(first)).toBe(true);
    const second = await first.context().newPage();
    await second.goto('/console');
    expect(onProvider(second)).toBe(true);
    const started = (await first.context().cookies(harness.baseUrl + '/console/callback')).filter(
      (c) => c.name.startsWith('attest_oidc_'),
    );
    expect(started).toHaveLength(2);
    await first.locator('input[name="login"]').fill('rita');
    await first.locator('input[name="password"]').fill('any password');
    await first.getByRole('button', { name: 'Sign-in' }).click();
    await first.getByRole('button', { name: 'Continue' }).click();
    await first.waitForURL((url) => onApp(url, '/console/ledger'));
    expect(await sessionOf(first.context())).toBeDefined();
  });

  it('refuses an answer whose state is not the one this browser sent, with a 400 page', async () => {
    const page = await harness.newPage();
    await page.goto('/console');
    expect(onProvider(page)).toBe(true);
    const response = await page.goto('/console/callback?code=stolen-code&state=not-the-state');
    expect(response!.status()).toBe(400);
    expect(response!.headers()['content-type']).toMatch(/^text\/html/);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('its state differs');
    expect(await sessionOf(page.context())).toBeUndefined();
    const fresh = await harness.newPage();
    const unstarted = await fresh.goto('/console/callback?code=stolen-code&state=not-the-state');
    expect(unstarted!.status()).toBe(400);
    await expect(fresh.getByRole('alert').textContent()).resolves.toContain(
      'not started in this browser',
    );
  });

  it('refuses, with a plain page and no session, an access token the API would refuse', async () => {
    const page = await harness.newPage();
    const callback = page.waitForResponse((r) => r.url().includes('/console/callback?'));
    await signInAtProvider(page, 'mallory');
    expect((await callback).status()).toBe(403);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'its access token is not one this service accepts (claim aud is not accepted)',
    );
    expect(await sessionOf(page.context())).toBeUndefined();
  });

  it('refuses a sign-in whose roles open no console page', async () => {
    const page = await harness.newPage();
    const callback = page.waitForResponse((r) => r.url().includes('/console/callback?'));
    await signInAtProvider(page, 'tess');
    expect((await callback).status()).toBe(403);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'holds none of the roles that open the console',
    );
    expect(await sessionOf(page.context())).toBeUndefined();
  });
});
