import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Role } from '../../src/auth/roles';

/** A running oidc-provider (tests/support/oidc-provider.mjs) in a child process. */
export interface TestIdentityProvider {
  /** http://localhost:<port>: another site than the app at 127.0.0.1. */
  issuer: string;
  jwksUrl: string;
  /** The access tokens' audience, as AUTH_AUDIENCE. */
  audience: string;
  close(): Promise<void>;
}

export interface TestIdentityProviderOptions {
  /** The app's address as browsers reach it (CONSOLE_PUBLIC_URL). */
  appUrl: string;
  clientId: string;
  clientSecret?: string;
  audience: string;
  /** login → the roles its access tokens carry. */
  accounts: Record<string, Role[]>;
  /** Logins whose access tokens are for another audience (tokens the API refuses). */
  outsiders?: string[];
}

/**
 * Starts a real OpenID Connect provider for the console's sign-in (README, "Console"): its own
 * login and consent pages, JWT access tokens for `audience` carrying each account's roles.
 */
export async function startIdentityProvider(
  options: TestIdentityProviderOptions,
): Promise<TestIdentityProvider> {
  const child = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      OIDC_TEST_PROVIDER: JSON.stringify({
        audience: options.audience,
        resource: 'https://attest.test/api',
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectUri: `${options.appUrl}/console/callback`,
        postLogoutRedirectUri: `${options.appUrl}/console/signed-out`,
        accounts: options.accounts,
        outsiders: options.outsiders ?? [],
      }),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the identity provider exited (${code}): ${stderr}`);
    }),
  ]);
  const { issuer } = JSON.parse(first) as { issuer: string };
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    audience: options.audience,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

/** A port free now, for an app whose config must name its own address before it listens. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
