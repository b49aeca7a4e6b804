import { availableParallelism } from 'node:os';
import { ConfigError, defaultEvaluationWorkers, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to the embedded store on port 3000 under ./var', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(`${process.cwd()}/var`);
    expect(config.logLevel).toBe('info');
    expect(config.readWaitTimeoutMs).toBe(5000);
  });

  it('runs as one process doing everything unless ATTEST_ROLE says otherwise', () => {
    expect(loadConfig({}).role).toBe('all');
    expect(loadConfig({ ATTEST_ROLE: '' }).role).toBe('all');
    const postgres = { DATABASE_URL: 'postgres://u@h/d' };
    expect(loadConfig({ ...postgres, ATTEST_ROLE: 'api' }).role).toBe('api');
    expect(loadConfig({ ...postgres, ATTEST_ROLE: 'projector' }).role).toBe('projector');
    expect(loadConfig({ ...postgres, ATTEST_ROLE: 'all' }).role).toBe('all');
  });

  it('refuses an unknown ATTEST_ROLE, naming the variable and the roles', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/d', ATTEST_ROLE: 'worker' })).toThrow(
      new ConfigError(
        'ATTEST_ROLE="worker" is invalid: expected one of all, api, projector (all: API and projections in one process)',
      ),
    );
  });

  it('refuses ATTEST_ROLE=api or projector on the embedded store, which one process holds', () => {
    for (const role of ['api', 'projector']) {
      expect(() => loadConfig({ ATTEST_ROLE: role })).toThrow(
        new RegExp(`^ATTEST_ROLE=${role} needs DATABASE_URL: the embedded store`),
      );
      expect(() => loadConfig({ ATTEST_ROLE: role })).toThrow(ConfigError);
    }
  });

  it('takes EventStoreDB beside PostgreSQL', () => {
    const config = loadConfig({
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
      DATABASE_URL: 'postgres://u@h/d',
    });
    expect(config.eventStoreConnectionString).toBe('esdb://localhost:2113?tls=false');
  });

  it('runs its own dev issuer unless a JWKS is configured', () => {
    expect(loadConfig({}).auth).toMatchObject({
      keys: { kind: 'dev-issuer' },
      audience: 'attest',
      rolesClaim: 'roles',
      algorithms: ['EdDSA', 'ES256', 'RS256', 'PS256'],
      clockToleranceSeconds: 30,
    });
  });

  it('takes PostgreSQL from DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' }).databaseUrl).toBe(
      'postgres://u@127.0.0.1:5432/db',
    );
  });

  it('takes PRIVACY_PEPPER when set, and leaves it to the data dir otherwise', () => {
    const pepper = 'p'.repeat(32);
    expect(loadConfig({ PRIVACY_PEPPER: pepper }).privacyPepper).toBe(pepper);
    expect(loadConfig({}).privacyPepper).toBeUndefined();
  });

  it('believes X-Forwarded-For from loopback only by default, or as TRUST_PROXY says', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.7' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
    ]);
  });

  it('limits rates by default, and 0 turns a limit off', () => {
    expect(loadConfig({}).rateLimit).toEqual({ perMinute: 6000, authFailuresPerMinute: 20 });
    expect(
      loadConfig({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0' })
        .rateLimit,
    ).toEqual({ perMinute: 0, authFailuresPerMinute: 0 });
  });

  it('keeps artifacts under DATA_DIR/artifacts (or ARTIFACT_DIR), up to 512 MiB by default', () => {
    expect(loadConfig({ DATA_DIR: '/srv/attest' }).artifacts).toEqual({
      dir: '/srv/attest/artifacts',
      maxBytes: 536_870_912,
    });
    expect(loadConfig({ DATA_DIR: 'memory://' }).artifacts.dir).toBeUndefined();
    expect(
      loadConfig({ DATA_DIR: 'memory://', ARTIFACT_DIR: '/blobs', ARTIFACT_MAX_BYTES: '4096' })
        .artifacts,
    ).toEqual({ dir: '/blobs', maxBytes: 4096 });
    expect(() => loadConfig({ ARTIFACT_MAX_BYTES: '0' })).toThrow(
      /^ARTIFACT_MAX_BYTES="0" is invalid: expected a whole number from 1 to/,
    );
    expect(() => loadConfig({ ARTIFACT_DIR: 'memory://' })).toThrow(/^ARTIFACT_DIR=memory:\/\//);
  });

  it('scores evaluations in EVALUATION_WORKERS threads, by default one per core but one, at most two', () => {
    expect(defaultEvaluationWorkers(1)).toBe(1);
    expect(defaultEvaluationWorkers(2)).toBe(1);
    expect(defaultEvaluationWorkers(3)).toBe(2);
    expect(defaultEvaluationWorkers(16)).toBe(2);
    expect(loadConfig({}).evaluation.workers).toBe(
      defaultEvaluationWorkers(availableParallelism()),
    );
    expect(loadConfig({ EVALUATION_WORKERS: '4' }).evaluation).toEqual({ workers: 4 });
    expect(() => loadConfig({ EVALUATION_WORKERS: '0' })).toThrow(
      /^EVALUATION_WORKERS="0" is invalid: expected a whole number from 1 to 64/,
    );
  });

  it('sweeps dataset retention every DATASET_SWEEP_INTERVAL_MS, hourly by default, 0 never', () => {
    expect(loadConfig({}).datasets).toEqual({ sweepIntervalMs: 3_600_000 });
    expect(loadConfig({ DATASET_SWEEP_INTERVAL_MS: '0' }).datasets).toEqual({ sweepIntervalMs: 0 });
    expect(loadConfig({ DATASET_SWEEP_INTERVAL_MS: '60000' }).datasets.sweepIntervalMs).toBe(
      60_000,
    );
    for (const raw of ['-1', 'hourly', '86400001', '1.5']) {
      expect(() => loadConfig({ DATASET_SWEEP_INTERVAL_MS: raw })).toThrow(
        new RegExp(
          `^DATASET_SWEEP_INTERVAL_MS=${JSON.stringify(raw).replace(/[.]/g, '\\.')} is invalid: expected a whole number from 0 to 86400000`,
        ),
      );
    }
  });

  it('never echoes a short PRIVACY_PEPPER', () => {
    expect(() => loadConfig({ PRIVACY_PEPPER: 'hunter2-secret' })).toThrow(
      'PRIVACY_PEPPER is invalid: expected a secret of at least 32 characters, got 14',
    );
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT="eighty" is invalid: expected a whole number from 0 to 65535$/],
    [{ PORT: '70000' }, /^PORT="70000" is invalid/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /^DATABASE_URL is invalid: expected a postgres:\/\//],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL is invalid/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL="loud" is invalid: expected one of fatal, error/],
    [{ READ_WAIT_TIMEOUT_MS: '-1' }, /^READ_WAIT_TIMEOUT_MS="-1" is invalid/],
    [
      { RATE_LIMIT_PER_MINUTE: 'lots' },
      /^RATE_LIMIT_PER_MINUTE="lots" is invalid: expected a whole/,
    ],
    [{ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '-5' }, /^RATE_LIMIT_AUTH_FAILURES_PER_MINUTE="-5"/],
    [
      { PRIVACY_PEPPER: 'x'.repeat(31) },
      /^PRIVACY_PEPPER is invalid: expected a secret of at least 32/,
    ],
    [
      { AUTH_ALGORITHMS: 'EdDSA,HS256' },
      /^AUTH_ALGORITHMS lists HS256: expected asymmetric algorithms only/,
    ],
    [{ AUTH_ALGORITHMS: 'none' }, /^AUTH_ALGORITHMS lists none/],
    [{ AUTH_JWKS_FILE: '/x.json' }, /^AUTH_ISSUER is missing/],
    [
      { AUTH_JWKS_FILE: '/x.json', AUTH_JWKS_URL: 'https://idp/jwks', AUTH_ISSUER: 'i' },
      /^AUTH_JWKS_URL and AUTH_JWKS_FILE are both set/,
    ],
    [
      { AUTH_JWKS_URL: 'ftp://idp/jwks', AUTH_ISSUER: 'i' },
      /^AUTH_JWKS_URL="ftp:\/\/idp\/jwks" is invalid/,
    ],
    [
      { EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' },
      /^DATABASE_URL is missing: with EVENTSTORE_CONNECTION_STRING set/,
    ],
    [
      { EVENTSTORE_CONNECTION_STRING: 'http://x', DATABASE_URL: 'postgres://u@h/d' },
      /^EVENTSTORE_CONNECTION_STRING is invalid/,
    ],
  ])('refuses %p with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
