// A real OpenID Connect provider for the console's sign-in tests (README, "Console"): oidc-provider
// (ESM only, so it runs in this child process rather than in jest), listening on 127.0.0.1 on a
// free port. Its issuer is http://localhost:<port>, another site than the app's 127.0.0.1, so the
// browser treats the provider's redirect back to the console as the cross-site navigation it is.
//
// Settings come as JSON in OIDC_TEST_PROVIDER:
//   { audience, resource, clientId, clientSecret?, redirectUri, postLogoutRedirectUri,
//     accounts: { <login>: <roles> }, outsiders: [<login>] }
// An outsider's access tokens are for another audience: tokens the API refuses.
// It prints one JSON line { issuer } once it listens, and stops when its stdin closes.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_PROVIDER ?? '{}');
const accounts = settings.accounts ?? {};

const key = (type, options, alg) => ({
  ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }),
  alg,
  use: 'sig',
  kid: `${alg.toLowerCase()}-test`,
});

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://localhost:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: settings.clientId,
      ...(settings.clientSecret
        ? {
            client_secret: settings.clientSecret,
            token_endpoint_auth_method: 'client_secret_basic',
          }
        : { token_endpoint_auth_method: 'none' }),
      redirect_uris: [settings.redirectUri],
      post_logout_redirect_uris: [settings.postLogoutRedirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: {
    keys: [
      key('rsa', { modulusLength: 2048 }, 'RS256'),
      key('ec', { namedCurve: 'P-256' }, 'ES256'),
    ],
  },
  cookies: { keys: ['attest-console-test-provider'] },
  pkce: { required: () => true },
  findAccount: (_ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, name: id }),
  }),
  features: {
    // The provider's own login ("any login") and consent pages.
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    // Access tokens for Attest's API: JWTs whose audience is AUTH_AUDIENCE.
    resourceIndicators: {
      enabled: true,
      defaultResource: () => settings.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx) => ({
        scope: 'attest',
        audience: (settings.outsiders ?? []).includes(
          ctx.oidc.entities.AuthorizationCode?.accountId,
        )
          ? 'another-service'
          : settings.audience,
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  // The account's roles, in the claim Attest reads (AUTH_ROLES_CLAIM, default roles).
  extraTokenClaims: (_ctx, token) =>
    token.kind === 'AccessToken' ? { roles: accounts[token.accountId] ?? [] } : undefined,
});

// The provider's pages style themselves with a web font; nothing here reaches the internet.
provider.use(async (ctx, next) => {
  await next();
  ctx.set('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'");
});
server.on('request', provider.callback());

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
