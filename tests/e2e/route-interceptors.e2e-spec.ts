import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig } from '@nestjs/core';
import { RegisterDatasetVersionHttpController } from '../../src/datasets/commands/register-dataset-version/register-dataset-version.http.controller';
import { HealthHttpController } from '../../src/health/health.http.controller';
import { DatasetsHttpController } from '../../src/datasets/queries/dataset-versions/datasets.http.controller';
import { TestApp, startTestApp } from '../support/test-app';

const body = (version: string) => ({
  version,
  contentHash: `sha256:${'ab'.repeat(32)}`,
  rows: 10,
  schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
  location: 's3://lake/loans.parquet',
  region: 'ap-southeast-2',
});

const interceptorsOf = (handler: object) =>
  ((Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as object[]).map(
    (interceptor) => (interceptor as { name?: string }).name,
  );

/**
 * The Idempotency-Key and personal-data interceptors sit only on the routes that need them
 * (src/ledger/http/route-interceptors.ts), and each app's requests reach that app's own
 * interceptors, though route metadata is shared by every app a process starts.
 */
describe('interceptors by route', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    // Started at once: each sets the routes' metadata while the other may be registering them.
    [first, second] = await Promise.all([startTestApp(), startTestApp()]);
  }, 120_000);
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('leaves the probe without any, and puts each where it is needed', () => {
    // No interceptor is global (a global one would run on every route, the probe's included).
    expect(first.app.get(ApplicationConfig).getGlobalInterceptors()).toEqual([]);
    expect(interceptorsOf(HealthHttpController.prototype.live)).toEqual([]);
    expect(interceptorsOf(RegisterDatasetVersionHttpController.prototype.register)).toEqual([
      'idempotency',
    ]);
    const personal = Object.getOwnPropertyNames(DatasetsHttpController.prototype)
      .map((name) => (DatasetsHttpController.prototype as unknown as Record<string, object>)[name])
      .map(interceptorsOf)
      .filter((names) => names.includes('personal-data'));
    expect(personal.length).toBeGreaterThan(0);
  });

  it('keeps each app’s Idempotency-Key records apart, two apps started at once', async () => {
    const write = async (test: TestApp, version: string) =>
      test
        .anonymous()
        .post('/api/v1/datasets/loans/versions')
        .set('Authorization', `Bearer ${await test.token('ci', ['pipeline'])}`)
        .set('Idempotency-Key', 'same-key')
        .send(body(version));
    const onFirst = await write(first, '2026-01');
    expect(onFirst.status).toBe(201);
    // The same key on the other app (its own store) is a first use there: it appends.
    const onSecond = await write(second, '2026-02');
    expect(onSecond.status).toBe(201);
    expect(onSecond.body.id).not.toBe(onFirst.body.id);
    // Replayed on the first app: its own record answers, nothing appended.
    const replay = await write(first, '2026-01');
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(onFirst.body);
    // The other body under the same key on the first app is refused there.
    expect((await write(first, '2026-02')).status).toBe(422);
  });
});
