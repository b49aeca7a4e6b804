import { loadConfig } from '../../src/config/app-config';
import { connectToServer } from '../../src/ledger/database/database-handle';
import { createEventLog } from '../../src/ledger/event-log.factory';
import { EventStoreEventLog } from '../../src/ledger/eventstore/eventstore-event-log';
import { LedgerUnavailable } from '../../src/ledger/ledger.errors';
import { EsdbEmulator, startEsdbEmulator } from '../support/esdb-emulator';
import { newEvent, newEvents } from '../support/events';
import { TestApp, startTestApp } from '../support/test-app';

describe('the service on EventStoreDB (protocol emulator)', () => {
  it('is chosen by EVENTSTORE_CONNECTION_STRING, which needs PostgreSQL beside it', async () => {
    const esdbOnly = { EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false' };
    expect(() => loadConfig(esdbOnly)).toThrow(
      /^DATABASE_URL is missing: with EVENTSTORE_CONNECTION_STRING set/,
    );

    const emulator = await startEsdbEmulator();
    const readModels = 'postgres://attest@127.0.0.1:5432/unused';
    const config = loadConfig({
      EVENTSTORE_CONNECTION_STRING: emulator.connectionString,
      DATABASE_URL: readModels,
    });
    const log = createEventLog(connectToServer(readModels), config);
    try {
      expect(log).toBeInstanceOf(EventStoreEventLog);
      const { position } = await log.append('dataset-chosen', [newEvent()], {
        expectedRevision: 'no_stream',
      });
      expect(position).toMatch(/^\d+\/\d+$/);
    } finally {
      await log.close();
      await emulator.stop();
    }
  });

  // Read models and checkpoints live in PostgreSQL in this configuration; CI always has it.
  if (process.env.DATABASE_URL) {
    let emulator: EsdbEmulator;
    let t: TestApp;

    beforeAll(async () => {
      emulator = await startEsdbEmulator();
      t = await startTestApp({ env: { EVENTSTORE_CONNECTION_STRING: emulator.connectionString } });
    });

    afterAll(async () => {
      await t?.close();
      await emulator?.stop();
    });

    it('appends, projects and reads your writes through EventStoreDB', async () => {
      await t.eventLog.append('dataset-esdb', newEvents(2), { expectedRevision: 'no_stream' });
      const { position } = await t.eventLog.append('model-esdb', [newEvent()], {
        expectedRevision: 'no_stream',
      });
      expect(position).toMatch(/^\d+\/\d+$/);

      const entry = await t
        .http()
        .get('/api/v1/ledger/streams/dataset-esdb')
        .set('X-Ledger-Position', position)
        .expect(200);
      expect(entry.body).toMatchObject({ stream: 'dataset-esdb', eventCount: 2, lastRevision: 1 });
      const events = await t
        .http()
        .get('/api/v1/ledger/events')
        .query({ stream: 'dataset-esdb' })
        .expect(200);
      expect(events.body.items.map((event: { revision: number }) => event.revision)).toEqual([
        0, 1,
      ]);
      expect(events.body.items[1].metadata.integrity.prevHash).toBe(
        events.body.items[0].metadata.integrity.hash,
      );
      await t
        .http()
        .get('/api/v1/ledger/verify')
        .expect(200)
        .expect((response) => {
          expect(response.body).toMatchObject({ ok: true, eventsChecked: 3, streamsChecked: 2 });
        });
      const ready = await t.http().get('/api/v1/health/ready').expect(200);
      expect(ready.body.details.eventLog.status).toBe('up');
    });

    it('answers 503 while EventStoreDB is down, keeps serving read models, and recovers by itself', async () => {
      const before = await t.eventLog.append('dataset-fault', [newEvent()], {
        expectedRevision: 'no_stream',
      });
      expect(await t.runner.waitFor(before.position, 10_000)).toBe(true);

      await emulator.pause();
      await expect(
        t.eventLog.append('dataset-fault', [newEvent()], { expectedRevision: 0n }),
      ).rejects.toBeInstanceOf(LedgerUnavailable);
      const ledgerRead = await t
        .http()
        .get('/api/v1/ledger/events')
        .query({ stream: 'dataset-fault' })
        .expect(503);
      expect(ledgerRead.headers['retry-after']).toBe('1');
      expect(ledgerRead.body).toMatchObject({ code: 'ledger-unavailable' });
      await t.http().get('/api/v1/ledger/streams/dataset-fault').expect(200);
      const notReady = await t.http().get('/api/v1/health/ready').expect(503);
      expect(notReady.body.checks.details.eventLog.status).toBe('down');

      await emulator.resume();
      const after = await t.eventLog.append('dataset-fault', [newEvent()], {
        expectedRevision: 0n,
      });
      expect(await t.runner.waitFor(after.position, 20_000)).toBe(true);
      const entry = await t.http().get('/api/v1/ledger/streams/dataset-fault').expect(200);
      expect(entry.body).toMatchObject({ eventCount: 2, lastRevision: 1 });
      // Resubscribed from where it stopped: every event in the ledger applied once, none twice.
      const index = t.runner.status().find((status) => status.name === 'stream-index');
      expect(index?.eventsApplied).toBe(5);
    });
  }
});
