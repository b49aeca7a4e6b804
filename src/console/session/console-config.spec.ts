import { ConfigError, loadConfig } from '../../config/app-config';

/** The console's sign-in settings (README, "Console"). */
describe('console sign-in configuration', () => {
  const idp = {
    AUTH_JWKS_URL: 'https://id.example.com/jwks',
    AUTH_ISSUER: 'https://id.example.com',
    CONSOLE_OIDC_ISSUER: 'https://id.example.com',
    CONSOLE_OIDC_CLIENT_ID: 'attest-console',
    CONSOLE_PUBLIC_URL: 'https://attest.example.com/',
  };

  it('offers the dev sign-in without an identity provider', () => {
    expect(loadConfig({}).console).toEqual({ sessionHours: 8 });
  });

  it('signs in with the provider, redirected to <public URL>/console/callback', () => {
    expect(loadConfig({ ...idp, CONSOLE_OIDC_CLIENT_SECRET: 's' }).console.oidc).toEqual({
      issuer: 'https://id.example.com',
      clientId: 'attest-console',
      clientSecret: 's',
      scopes: 'openid profile',
      redirectUrl: 'https://attest.example.com/console/callback',
    });
  });

  it.each([
    [{ CONSOLE_OIDC_ISSUER: 'id.example.com' }, /CONSOLE_OIDC_ISSUER="id.example.com" is invalid/],
    [{ CONSOLE_OIDC_CLIENT_ID: '' }, /CONSOLE_OIDC_CLIENT_ID is missing/],
    [{ AUTH_JWKS_URL: '', AUTH_ISSUER: '' }, /AUTH_JWKS_URL is missing/],
    [{ CONSOLE_OIDC_SCOPES: 'openid  "profile"' }, /CONSOLE_OIDC_SCOPES=.* is invalid/],
    [{ CONSOLE_PUBLIC_URL: '' }, /CONSOLE_PUBLIC_URL is missing or invalid/],
    [{ CONSOLE_PUBLIC_URL: 'https://attest.example.com/?x=1' }, /CONSOLE_PUBLIC_URL/],
    // The console's cookies are scoped to /console: it cannot live under a path prefix.
    [{ CONSOLE_PUBLIC_URL: 'https://tools.example.com/attest' }, /without a path/],
  ])('refuses to start with %j, naming the variable', (change, message) => {
    let error: unknown;
    try {
      loadConfig({ ...idp, ...change });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
