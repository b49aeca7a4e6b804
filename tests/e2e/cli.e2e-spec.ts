import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DevIssuer } from '../../src/auth/dev-issuer';
import { TokenVerifier } from '../../src/auth/token-verifier';
import { loadConfig } from '../../src/config/app-config';
import { DatabaseHandle, startEmbedded } from '../../src/ledger/database/database-handle';
import { migrate } from '../../src/ledger/database/migrate';
import { createEventLog } from '../../src/ledger/event-log.factory';
import { runNode, runScript as run } from '../support/cli';
import { builtEntry } from '../support/test-build';
import { newEvents, settled } from '../support/events';
import { TestDatabase, createTestDatabase, defaultStoreKind } from '../support/test-database';

describe('command-line tools', () => {
  let env: Record<string, string>;
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  let victimId: string;

  /** Opens the store the CLI will use, lets `work` write to it, and closes it again. */
  async function withStore(work: (handle: DatabaseHandle) => Promise<void>): Promise<void> {
    const handle = database ?? (await startEmbedded(dataDir as string));
    try {
      await work(handle);
    } finally {
      if (!database) await handle.close();
    }
  }

  beforeAll(async () => {
    if (defaultStoreKind() === 'postgres') {
      database = await createTestDatabase('postgres');
      env = database.env;
    } else {
      dataDir = await mkdtemp(join(tmpdir(), 'attest-cli-'));
      env = { DATA_DIR: dataDir };
    }
    await withStore(async (handle) => {
      await migrate(handle.url);
      const log = createEventLog(handle, loadConfig({}));
      await log.append('dataset-cli', newEvents(3), { expectedRevision: 'no_stream' });
      const last = await log.append('model-cli', newEvents(2), { expectedRevision: 'no_stream' });
      await settled(log, last.position);
      victimId = (await log.readStream('dataset-cli'))[2].id;
      await log.close();
    });
  });

  afterAll(async () => {
    await database?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('migrate reports an up-to-date schema', async () => {
    const result = await run('src/cli/migrate.ts', env);
    expect(result.stdout.trim()).toBe('schema up to date');
    expect(result.code).toBe(0);
  });

  it('ledger:verify reports an intact ledger with exit code 0', async () => {
    const result = await run('src/cli/ledger-verify.ts', env);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^ledger intact: 5 events in 2 streams verified/);
    expect(result.code).toBe(0);
  });

  it('projections:rebuild replays the ledger into the named projection', async () => {
    const result = await run('src/cli/projections-rebuild.ts', env, ['stream-index']);
    expect(result.stdout).toMatch(/rebuilt stream-index: 5 events applied/);
    expect(result.code).toBe(0);
    const unknown = await run('src/cli/projections-rebuild.ts', env, ['nope']);
    expect(unknown.stderr.trim()).toMatch(
      /^attest: unknown projection nope; known: stream-index, dataset-versions, .*deletion-requests/,
    );
    expect(unknown.code).toBe(1);
  });

  it('ledger:verify names the tampered event and exits 1', async () => {
    await withStore(async (handle) => {
      const sql = new Client({ connectionString: handle.url });
      await sql.connect();
      await sql.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
      await sql.query(
        `UPDATE ledger_events SET metadata = jsonb_set(metadata, '{actor,sub}', '"mallory"') WHERE id = $1`,
        [victimId],
      );
      await sql.query('ALTER TABLE ledger_events ENABLE TRIGGER ledger_events_append_only');
      await sql.end();
    });
    const result = await run('src/cli/ledger-verify.ts', env);
    expect(result.stdout).toContain('ledger TAMPERED: 1 event(s)');
    expect(result.stdout).toContain(
      `first: stream dataset-cli revision 2 id ${victimId} (hash-mismatch)`,
    );
    expect(result.code).toBe(1);
  });

  it('token prints one signed token that the service accepts, and only for its own issuer', async () => {
    const tokenDir = await mkdtemp(join(tmpdir(), 'attest-token-'));
    try {
      const env = { DATA_DIR: tokenDir };
      const result = await run('src/cli/token.ts', env, [
        '--sub',
        'alice',
        '--roles',
        'data-scientist,risk-manager',
      ]);
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      const config = loadConfig(env);
      const issuer = await DevIssuer.open(tokenDir, config.auth.issuer, config.auth.audience);
      const keyFile = join(tokenDir, 'dev-issuer.jwk.json');
      // No key was there: the command made one, and says so loudly (on stderr, not in the token).
      expect(result.stderr.trim()).toBe(
        `attest: WARNING: no dev issuer key in ${tokenDir}; created one (key id ${issuer.kid}, ${keyFile}) — a running service with a different DATA_DIR will refuse this token`,
      );
      const verifier = await TokenVerifier.create(config.auth, issuer);
      expect(await verifier.verify(`Bearer ${lines[0]}`)).toEqual({
        sub: 'alice',
        roles: ['data-scientist', 'risk-manager'],
      });

      const again = await run('src/cli/token.ts', env, ['--sub', 'bob', '--roles', 'admin']);
      expect(again.stderr.trim()).toBe(
        `attest: signed with dev issuer key ${issuer.kid} (${keyFile})`,
      );
      // A service with another DATA_DIR refuses it, naming the key id and the likely cause.
      const elsewhere = await DevIssuer.open('memory://', config.auth.issuer, config.auth.audience);
      const other = await TokenVerifier.create(config.auth, elsewhere);
      await expect(other.verify(`Bearer ${again.stdout.trim()}`)).rejects.toThrow(
        `the token’s key id ${issuer.kid} is not one this service knows (its dev issuer signs with key id ${elsewhere.kid}, kept in its DATA_DIR; was the token minted with a different DATA_DIR?`,
      );

      const external = await run(
        'src/cli/token.ts',
        { ...env, AUTH_JWKS_FILE: '/x.json', AUTH_ISSUER: 'https://idp' },
        ['--sub', 'a', '--roles', 'admin'],
      );
      expect(external.stderr.trim()).toBe(
        'attest: tokens come from your identity provider: AUTH_JWKS_URL or AUTH_JWKS_FILE is set',
      );
      expect(external.code).toBe(1);
      const badRole = await run('src/cli/token.ts', env, ['--sub', 'a', '--roles', 'superuser']);
      expect(badRole.stderr).toContain('--roles superuser is invalid');
    } finally {
      await rm(tokenDir, { recursive: true, force: true });
    }
  });

  it('token loads neither Nest, TypeORM nor the embedded store', async () => {
    const tokenDir = await mkdtemp(join(tmpdir(), 'attest-token-'));
    try {
      const probe = [
        `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache).filter((file) => /node_modules[\\\\/](@nestjs|typeorm|@electric-sql|pg)[\\\\/]/.test(file)))));`,
        `process.argv = [process.argv[0], 'token', '--sub', 'me', '--roles', 'admin'];`,
        `require(${JSON.stringify(builtEntry('src/cli/token.ts'))});`,
      ].join('\n');
      const result = await runNode(['-e', probe], {
        DATA_DIR: tokenDir,
      });
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(JSON.parse(/LOADED (.*)$/.exec(result.stderr)?.[1] ?? 'null')).toEqual([]);
    } finally {
      await rm(tokenDir, { recursive: true, force: true });
    }
  });

  it('the service refuses a bad variable with one line naming it', async () => {
    const result = await run('src/main.ts', { ...env, PORT: 'eighty' });
    expect(result.stderr.trim()).toBe(
      'attest: configuration error: PORT="eighty" is invalid: expected a whole number from 0 to 65535',
    );
    expect(result.code).toBe(1);
  });
});
