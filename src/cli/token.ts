import { DevIssuer } from '../auth/dev-issuer';
import { isRole, ROLES } from '../auth/roles';
import { MEMORY_DATA_DIR, loadConfig } from '../config/app-config';
import { runCli } from './cli-support';

/**
 * `npm run token -- --sub alice --roles data-scientist[,risk-manager] [--ttl 1h]`: prints a dev
 * token on stdout, and on stderr which key signed it. Loads only the config, the roles and jose
 * (no Nest, no store), so it answers in well under a second.
 */
runCli(async () => {
  const config = loadConfig();
  if (config.auth.keys.kind !== 'dev-issuer') {
    throw new Error(
      'tokens come from your identity provider: AUTH_JWKS_URL or AUTH_JWKS_FILE is set',
    );
  }
  if (config.dataDir === MEMORY_DATA_DIR) {
    throw new Error('DATA_DIR=memory:// keeps no issuer key between processes; use a directory');
  }
  const args = options(process.argv.slice(2));
  const sub = args.get('sub');
  const roles = (args.get('roles') ?? '').split(',').filter(Boolean);
  if (!sub)
    throw new Error('usage: npm run token -- --sub <subject> --roles <role>[,<role>] [--ttl 1h]');
  const unknown = roles.filter((role) => !isRole(role));
  if (roles.length === 0 || unknown.length > 0) {
    throw new Error(
      `--roles ${unknown.join(',') || '(none)'} is invalid: expected some of ${ROLES.join(', ')}`,
    );
  }
  const issuer = await DevIssuer.open(config.dataDir, config.auth.issuer, config.auth.audience);
  const token = await issuer.sign({ sub, roles: roles.filter(isRole) }, args.get('ttl') ?? '1h');
  // stderr: `$(npm run -s token …)` still yields the token alone.
  if (issuer.created) {
    console.error(
      `attest: WARNING: no dev issuer key in ${config.dataDir}; created one (key id ${issuer.kid}, ${issuer.keyFile}) — a running service with a different DATA_DIR will refuse this token`,
    );
  } else {
    console.error(`attest: signed with dev issuer key ${issuer.kid} (${issuer.keyFile})`);
  }
  console.log(token);
  return 0;
});

function options(argv: string[]): Map<string, string> {
  const parsed = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new Error(`unexpected argument ${argv[i]}`);
    parsed.set(match[1], match[2] ?? argv[++i] ?? '');
  }
  return parsed;
}
