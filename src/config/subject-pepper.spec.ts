import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { PEPPER_FILE, openSubjectPepper } from './subject-pepper';

describe('openSubjectPepper', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'attest-pepper-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('takes PRIVACY_PEPPER when set, and writes no file', async () => {
    const secret = 's'.repeat(40);
    const pepper = await openSubjectPepper(
      loadConfig({ DATA_DIR: dataDir, PRIVACY_PEPPER: secret, DATABASE_URL: 'postgres://u@h/d' }),
    );
    expect(pepper).toEqual({ secret, origin: 'configured' });
    await expect(stat(join(dataDir, PEPPER_FILE))).rejects.toThrow();
  });

  it('creates a random pepper in the data dir once (mode 0600) and reads it back after', async () => {
    const config = loadConfig({ DATA_DIR: join(dataDir, 'nested') });
    const first = await openSubjectPepper(config);
    const file = join(dataDir, 'nested', PEPPER_FILE);
    expect(first).toEqual({ secret: expect.stringMatching(/^[0-9a-f]{64}$/), origin: 'data-dir' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.secret);
    expect((await openSubjectPepper(config)).secret).toBe(first.secret);
  });

  it('gives processes opening a fresh data dir together one pepper', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const peppers = await Promise.all(Array.from({ length: 8 }, () => openSubjectPepper(config)));
    expect(new Set(peppers.map((pepper) => pepper.secret)).size).toBe(1);
    expect(await readdir(dataDir)).toEqual([PEPPER_FILE]);
  });

  it('uses a new pepper per process with the in-memory data dir', async () => {
    const config = loadConfig({ DATA_DIR: 'memory://' });
    const [a, b] = [await openSubjectPepper(config), await openSubjectPepper(config)];
    expect(a.origin).toBe('per-process');
    expect(a.secret).not.toBe(b.secret);
    expect(a.warning).toBeUndefined();
  });

  it('warns when a shared ledger (PostgreSQL or EventStoreDB) runs without PRIVACY_PEPPER', async () => {
    const postgres = await openSubjectPepper(
      loadConfig({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://u@h/d' }),
    );
    expect(postgres.warning).toMatch(/^PRIVACY_PEPPER is not set/);
    const eventStore = await openSubjectPepper(
      loadConfig({
        DATA_DIR: 'memory://',
        DATABASE_URL: 'postgres://u@h/d',
        EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
      }),
    );
    expect(eventStore.warning).toMatch(/^PRIVACY_PEPPER is not set and DATA_DIR is memory:\/\//);
    expect((await openSubjectPepper(loadConfig({ DATA_DIR: dataDir }))).warning).toBeUndefined();
  });

  it('refuses a pepper file that is too short instead of replacing it', async () => {
    await writeFile(join(dataDir, PEPPER_FILE), 'short\n');
    await expect(openSubjectPepper(loadConfig({ DATA_DIR: dataDir }))).rejects.toThrow(ConfigError);
    expect(await readFile(join(dataDir, PEPPER_FILE), 'utf8')).toBe('short\n');
  });
});
