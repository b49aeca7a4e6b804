import type { DatasetVersionRegistered } from '../../src/datasets/dataset.events';
import { streams } from '../../src/ledger/stream-names';
import { runScript } from '../support/cli';
import { seedEvent } from '../support/seed-events';
import { TestApp, startTestApp } from '../support/test-app';
import { defaultStoreKind } from '../support/test-database';

const HASH = `sha256:${'ab'.repeat(32)}`;

/** A registration as an old or foreign writer could append it, past the API's validation. */
function registration(name: string, rows: number): DatasetVersionRegistered {
  return {
    type: 'DatasetVersionRegistered',
    data: {
      name,
      version: '2026-01',
      contentHash: HASH,
      rows,
      schema: [
        {
          name: 'term',
          type: 'number',
          personal: false,
          sensitive: false,
          category: null,
          protectedAttribute: false,
        },
      ],
      location: 's3://lake/legacy.parquet',
      region: 'ap-southeast-2',
      containsPersonalInformation: false,
      containsSensitiveInformation: false,
      lawfulBasis: null,
      collectionNotice: null,
      purpose: null,
      retention: null,
      piaId: null,
      parents: [],
      registeredBy: 'legacy-loader',
      registeredAt: '2026-01-31T00:00:00.000Z',
    },
  };
}

describe('a projection that cannot apply an event', () => {
  let test: TestApp;
  let pipeline: string;

  beforeAll(async () => {
    test = await startTestApp();
    pipeline = `Bearer ${await test.token('ci-pipeline', ['pipeline'])}`;
  });
  afterAll(() => test.close());

  it('records a fault and keeps the read side serving, ready and measured', async () => {
    const event = seedEvent(registration('legacy-loans', 9223372036854775808));
    const appended = await test.eventLog.append(streams.dataset('legacy-loans'), [event], {
      expectedRevision: 'no_stream',
    });
    // Waits until every projection has passed the bad event, the faulted one included.
    await test
      .http()
      .get('/api/v1/ledger/streams')
      .set('X-Ledger-Position', appended.position)
      .expect(200);

    const ready = await test.http().get('/api/v1/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.projections).toMatchObject({
      status: 'up',
      'dataset-versions': {
        state: 'faulted',
        faults: { open: 1, firstEventId: event.id },
      },
    });
    await test.http().get('/api/v1/datasets/legacy-loans/versions/2026-01').expect(404);

    const registered = await test
      .anonymous()
      .post('/api/v1/datasets/loans/versions')
      .set('Authorization', pipeline)
      .send({
        version: '2026-02',
        contentHash: HASH,
        rows: 1000,
        schema: [{ name: 'term', type: 'number', personal: false, sensitive: false }],
        location: 's3://lake/loans/2026-02.parquet',
        region: 'ap-southeast-2',
      })
      .expect(201);
    const read = await test
      .http()
      .get('/api/v1/datasets/loans/versions/2026-02')
      .set('X-Ledger-Position', registered.body.ledgerPosition)
      .expect(200);
    expect(read.body).toMatchObject({ name: 'loans', version: '2026-02', rows: 1000 });

    const metrics = (await test.http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^attest_projection_faults_open\{projection="dataset-versions"\} 1$/m);
    expect(metrics).toMatch(/^attest_projection_faults_total\{projection="dataset-versions"\} 1$/m);
    expect(metrics).toMatch(/^attest_projection_faults_open\{projection="stream-index"\} 0$/m);
  });

  // Only a server lets a second process open the service's database (PGlite has one owner).
  if (defaultStoreKind() === 'postgres' && process.env.TEST_EVENT_STORE !== 'emulator') {
    it('projections:replay-faults rebuilds the faulted projection and exits 1 while the fault stays', async () => {
      await test.runner.stop();
      const result = await runScript('src/cli/projections-replay-faults.ts', {
        DATA_DIR: 'memory://',
        CHECKPOINT_EVERY_EVENTS: '0',
        CHECKPOINT_INTERVAL_MS: '0',
        ...test.database?.env,
      });
      expect(result.stdout).toMatch(
        /rebuilt dataset-versions: 1 events applied, 1 events could not be applied \(open faults\)/,
      );
      expect(result.stderr).toMatch(
        /fault: dataset-versions cannot apply event [0-9a-f-]{36} \(DatasetVersionRegistered at .+\): 22003 /,
      );
      expect(result.stderr).not.toContain('9223372036854775808');
      expect(result.code).toBe(1);
      // A process of its own that starts the whole service: slow on a busy machine.
    }, 240_000);
  }
});
