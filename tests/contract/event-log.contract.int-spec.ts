import { Client } from 'pg';
import { loadConfig } from '../../src/config/app-config';
import type { DatabaseHandle } from '../../src/ledger/database/database-handle';
import type { EventLog, RecordedEvent, SubscriptionMessage } from '../../src/ledger/event-log.port';
import { GENESIS_HASH } from '../../src/ledger/hash-chain';
import { STREAM_LOCK_NAMESPACE, streamLockKey } from '../../src/ledger/stream-lock-key';
import { createEventLog } from '../../src/ledger/event-log.factory';
import {
  DuplicateEventId,
  LedgerUnavailable,
  StreamMoved,
  StreamNotFound,
  UnstorableEvent,
  WrongExpectedVersion,
} from '../../src/ledger/ledger.errors';
import { verifyLedger } from '../../src/ledger/ledger-verifier';
import { MARK_READ_MODEL_TRANSACTION } from '../../src/ledger/postgres/postgres-event-log';
import { newEvent, newEvents, settled } from '../support/events';
import { scratchDatabase } from '../support/test-database';
import {
  LedgerFixture,
  capabilities,
  isPostgresFamily,
  ledgerKinds,
  openLedger,
} from '../support/ledger-fixtures';

/** Collects subscription messages until `until` says stop. */
async function collect(
  iterable: AsyncIterable<SubscriptionMessage>,
  until: (messages: SubscriptionMessage[]) => boolean,
): Promise<SubscriptionMessage[]> {
  const messages: SubscriptionMessage[] = [];
  for await (const message of iterable) {
    messages.push(message);
    if (until(messages)) break;
  }
  return messages;
}

/** Resolves with `value` after `ms`: the deadline side of a race. */
function within<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

const eventsOf = (messages: SubscriptionMessage[]): RecordedEvent[] =>
  messages.flatMap((message) => (message.kind === 'event' ? [message.event] : []));

describe.each(ledgerKinds())('EventLog contract (%s)', (kind) => {
  let fixture: LedgerFixture;
  let log: EventLog;
  let stream: string;
  let counter = 0;

  beforeAll(async () => {
    fixture = await openLedger(kind);
    log = fixture.log;
  });

  afterAll(() => fixture?.close());

  beforeEach(() => {
    counter += 1;
    stream = `contract-${counter}-${Date.now()}`;
  });

  const countRows = () => fixture.countEvents();

  describe('append', () => {
    it('creates a stream at revision 0 with a hash chain starting at genesis', async () => {
      const [first, second] = newEvents(2);
      const result = await log.append(stream, [first, second], { expectedRevision: 'no_stream' });
      expect(result.nextExpectedRevision).toBe(1n);
      expect(log.isPosition(result.position)).toBe(true);

      const stored = await log.readStream(stream);
      expect(stored.map((event) => [event.id, event.revision])).toEqual([
        [first.id, 0n],
        [second.id, 1n],
      ]);
      expect(stored[0].metadata.integrity.prevHash).toBe(GENESIS_HASH);
      expect(stored[1].metadata.integrity.prevHash).toBe(stored[0].metadata.integrity.hash);
      expect(stored[0].data).toEqual(first.data);
      expect(stored[0].metadata.actor).toEqual(first.metadata.actor);
      expect(stored[1].position).toBe(result.position);
    });

    it('honours every kind of expected revision', async () => {
      await expect(
        log.append(stream, [newEvent()], { expectedRevision: 'stream_exists' }),
      ).rejects.toBeInstanceOf(WrongExpectedVersion);
      await log.append(stream, [newEvent()], { expectedRevision: 'any' });
      await expect(
        log.append(stream, [newEvent()], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(WrongExpectedVersion);
      await log.append(stream, [newEvent()], { expectedRevision: 'stream_exists' });
      await log.append(stream, [newEvent()], { expectedRevision: 1n });
      const conflict = log.append(stream, [newEvent()], { expectedRevision: 1n });
      await expect(conflict).rejects.toMatchObject({ stream, expected: '1', actual: '2' });
      expect((await log.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
    });

    it('answers a retried append with the same event ids once, without duplicates', async () => {
      const events = newEvents(3);
      const first = await log.append(stream, events, { expectedRevision: 'no_stream' });
      const retried = await log.append(stream, events, { expectedRevision: 'no_stream' });
      const retriedAny = await log.append(stream, events, { expectedRevision: 'any' });
      expect(retried).toEqual(first);
      expect(retriedAny).toEqual(first);
      expect(await log.readStream(stream)).toHaveLength(3);
    });

    it('treats the same ids in another order, or only some of them, as a conflict, not a retry', async () => {
      const events = newEvents(3);
      await log.append(stream, events, { expectedRevision: 'no_stream' });
      const reordered = [events[1], events[0], events[2]];
      await expect(
        log.append(stream, reordered, { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(DuplicateEventId);
      await expect(
        log.append(stream, [events[0], newEvent()], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(DuplicateEventId);
      if (capabilities.globallyUniqueIds(kind)) {
        // EventStoreDB recognises ids only at the expected position, so it would take these.
        await expect(
          log.append(stream, [events[2], newEvent()], { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(DuplicateEventId);
      }
      expect(await log.readStream(stream)).toHaveLength(3);
    });

    it('refuses event ids that are not lower-case UUIDs, since the hash covers the id as given', async () => {
      const upper = newEvent();
      upper.id = upper.id.toUpperCase();
      await expect(log.append(stream, [upper], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
        UnstorableEvent,
      );
      await expect(
        log.append(stream, [newEvent({ id: 'not-a-uuid' })], { expectedRevision: 'any' }),
      ).rejects.toThrow(/not a lower-case UUID/);
    });

    it('refuses one append that holds the same event id twice', async () => {
      const event = newEvent();
      await expect(
        log.append(stream, [event, event], { expectedRevision: 'any' }),
      ).rejects.toBeInstanceOf(UnstorableEvent);
      await expect(log.readStream(stream)).rejects.toBeInstanceOf(StreamNotFound);
    });

    if (capabilities.globallyUniqueIds(kind)) {
      it('refuses the same event ids in another stream', async () => {
        const events = newEvents(1);
        await log.append(stream, events, { expectedRevision: 'no_stream' });
        await expect(
          log.append(`${stream}-other`, events, { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(DuplicateEventId);
      });
    }

    it('lets exactly one of 50 concurrent appends with the same expected revision win', async () => {
      await log.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
      const before = await countRows();
      const contenders = Array.from({ length: 50 }, () => newEvent());
      const outcomes = await Promise.allSettled(
        contenders.map((event) => log.append(stream, [event], { expectedRevision: 0n })),
      );
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter(
        (outcome) => outcome.status === 'rejected',
      ) as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const outcome of lost) expect(outcome.reason).toBeInstanceOf(WrongExpectedVersion);
      const stored = await log.readStream(stream);
      expect(stored).toHaveLength(2);
      const winner = contenders[outcomes.findIndex((outcome) => outcome.status === 'fulfilled')];
      expect(stored[1].id).toBe(winner.id);
      expect(await countRows()).toBe(before + 1);
    });

    it('serialises concurrent appends with expected revision any into one intact chain', async () => {
      const writers = Array.from({ length: 20 }, () =>
        log.append(stream, [newEvent()], { expectedRevision: 'any' }),
      );
      await Promise.all(writers);
      const stored = await log.readStream(stream);
      expect(stored.map((event) => event.revision)).toEqual(
        Array.from({ length: 20 }, (_, i) => BigInt(i)),
      );
      for (let i = 1; i < stored.length; i++) {
        expect(stored[i].metadata.integrity.prevHash).toBe(stored[i - 1].metadata.integrity.hash);
      }
    });

    it('stores an append while the streams its rule read are where they were read, and refuses it once one moved', async () => {
      const read = `${stream}-read`;
      const absent = `${stream}-absent`;
      await log.append(read, [newEvent()], { expectedRevision: 'no_stream' });
      const conditions = [
        { stream: read, revision: 0n },
        { stream: absent, revision: 'no_stream' as const },
      ];
      await log.append(stream, [newEvent()], { expectedRevision: 'no_stream', conditions });
      await log.append(read, [newEvent()], { expectedRevision: 0n });
      const before = await countRows();
      const refused = log.append(stream, [newEvent()], { expectedRevision: 0n, conditions });
      await expect(refused).rejects.toBeInstanceOf(StreamMoved);
      await expect(refused).rejects.toMatchObject({ stream: read, expected: '0', actual: '1' });
      await log.append(absent, [newEvent()], { expectedRevision: 'no_stream' });
      await expect(
        log.append(stream, [newEvent()], {
          expectedRevision: 0n,
          conditions: [{ stream: absent, revision: 'no_stream' }],
        }),
      ).rejects.toMatchObject({ stream: absent, expected: 'no_stream', actual: '0' });
      expect(await countRows()).toBe(before + 1);
      // A condition on the stream appended to is its expected revision's to guard.
      await log.append(stream, newEvents(2), {
        expectedRevision: 0n,
        conditions: [
          { stream: read, revision: 1n },
          { stream, revision: 0n },
        ],
      });
      expect(await log.readStream(stream)).toHaveLength(3);
    });

    it('never stores a conditional append after a move of the stream it read, under 30 concurrent appends', async () => {
      for (let round = 0; round < 2; round++) {
        const read = `${stream}-read-${round}`;
        await log.append(read, [newEvent()], { expectedRevision: 'no_stream' });
        const dependants = Array.from({ length: 15 }, (_, i) =>
          log
            .append(`${stream}-dependant-${round}-${i}`, [newEvent()], {
              expectedRevision: 'no_stream',
              conditions: [{ stream: read, revision: 0n }],
            })
            .then(
              (result) => result.position,
              (error: unknown) => {
                expect(error).toBeInstanceOf(StreamMoved);
                return undefined;
              },
            ),
        );
        const moves = Array.from({ length: 15 }, () =>
          log.append(read, [newEvent()], { expectedRevision: 'any' }),
        );
        const [stored] = await Promise.all([Promise.all(dependants), Promise.all(moves)]);
        const [firstMove] = await log.readStream(read, { fromRevision: 1n, maxCount: 1 });
        for (const position of stored) {
          if (position) expect(log.comparePositions(position, firstMove.position)).toBeLessThan(0);
        }
      }
    });

    if (capabilities.refusesNul(kind)) {
      it('refuses data PostgreSQL cannot store with a domain error and stores nothing', async () => {
        const before = await countRows();
        await expect(
          log.append(stream, [newEvent({ data: { note: 'nul \u0000 byte' } })], {
            expectedRevision: 'any',
          }),
        ).rejects.toBeInstanceOf(UnstorableEvent);
        expect(await countRows()).toBe(before);
      });
    }
  });

  describe('read', () => {
    it('reads a stream forwards, backwards, from a revision and with a count', async () => {
      await log.append(stream, newEvents(5), { expectedRevision: 'no_stream' });
      const revisions = (events: RecordedEvent[]) => events.map((event) => Number(event.revision));
      expect(revisions(await log.readStream(stream, { fromRevision: 2n }))).toEqual([2, 3, 4]);
      expect(
        revisions(await log.readStream(stream, { direction: 'backwards', maxCount: 2 })),
      ).toEqual([4, 3]);
      expect(
        revisions(await log.readStream(stream, { direction: 'backwards', fromRevision: 1n })),
      ).toEqual([1, 0]);
      expect(revisions(await log.readStream(stream, { maxCount: 2 }))).toEqual([0, 1]);
      expect(await log.readStream(stream, { fromRevision: 9n })).toEqual([]);
    });

    it('reads events by place, in the order asked, leaving out places that hold none', async () => {
      await log.append(stream, newEvents(3), { expectedRevision: 'no_stream' });
      await log.append(`${stream}-b`, newEvents(2), { expectedRevision: 'no_stream' });
      const found = await log.readEvents([
        { stream: `${stream}-b`, revision: 1n },
        { stream, revision: 2n },
        { stream, revision: 7n },
        { stream: `${stream}-missing`, revision: 0n },
        { stream, revision: 0n },
      ]);
      expect(found.map((event) => `${event.stream}@${event.revision}`)).toEqual([
        `${stream}-b@1`,
        `${stream}@2`,
        `${stream}@0`,
      ]);
      expect(found[1]).toEqual((await log.readStream(stream, { fromRevision: 2n }))[0]);
      expect(await log.readEvents([])).toEqual([]);
    });

    it('reports a missing stream as StreamNotFound', async () => {
      await expect(log.readStream(`${stream}-missing`)).rejects.toBeInstanceOf(StreamNotFound);
    });

    it('reads all events in global order, exclusive of the start position', async () => {
      const a = await log.append(stream, newEvents(2), { expectedRevision: 'no_stream' });
      const b = await log.append(`${stream}-b`, newEvents(2), { expectedRevision: 'no_stream' });
      await settled(log, b.position);
      const after = await log.readAll({ from: a.position, maxCount: 10 });
      expect(after[0].stream).toBe(`${stream}-b`);
      expect(after.map((event) => event.position)).toContain(b.position);
      expect(after.map((event) => event.position)).not.toContain(a.position);
      const all = await log.readAll({ maxCount: 100_000 });
      for (let i = 1; i < all.length; i++) {
        expect(log.comparePositions(all[i - 1].position, all[i].position)).toBeLessThan(0);
      }
    });

    it('names its head position and roughly how far a position is towards it', async () => {
      if (kind !== 'eventstore') {
        // A shared EventStoreDB server is never empty; every other kind starts so here.
        const empty = await openLedger(kind);
        try {
          expect(await empty.log.headPosition()).toBeUndefined();
        } finally {
          await empty.close();
        }
      }
      const first = await log.append(stream, newEvents(3), { expectedRevision: 'no_stream' });
      const last = await log.append(`${stream}-b`, newEvents(3), {
        expectedRevision: 'no_stream',
      });
      await settled(log, last.position);
      const head = (await log.headPosition()) as string;
      expect(log.comparePositions(head, last.position)).toBeGreaterThanOrEqual(0);
      expect(log.fractionOf(null, head)).toBe(0);
      expect(log.fractionOf(head, head)).toBe(1);
      const share = log.fractionOf(first.position, head);
      expect(share).toBeGreaterThan(0);
      expect(share).toBeLessThan(1);
    });

    it('treats positions as opaque tokens of this store only', async () => {
      const { position } = await log.append(stream, [newEvent()], {
        expectedRevision: 'no_stream',
      });
      expect(log.isPosition(position)).toBe(true);
      expect(log.comparePositions(position, position)).toBe(0);
      for (const token of [
        '',
        'abc',
        '12',
        '1-2-3',
        '-1-2',
        '1.2',
        'C:12/P:12',
        '1/2/3',
        '1-2/3',
      ]) {
        expect(log.isPosition(token)).toBe(false);
      }
      expect(() => log.comparePositions(position, 'nonsense')).toThrow(RangeError);
    });

    if (isPostgresFamily(kind)) {
      it('refuses position tokens beyond the xid8 and bigint columns', () => {
        expect(log.isPosition('12-34')).toBe(true);
        expect(log.isPosition('18446744073709551615-9223372036854775807')).toBe(true);
        expect(log.isPosition('18446744073709551616-1')).toBe(false);
        expect(log.isPosition('1-9223372036854775808')).toBe(false);
      });
    }
  });

  describe('subscribe', () => {
    it('delivers history, a checkpoint and caughtUp, then live events', async () => {
      const start = (await log.append(stream, [newEvent()], { expectedRevision: 'no_stream' }))
        .position;
      const history = newEvents(3);
      await log.append(stream, history, { expectedRevision: 0n });
      const subscription = log.subscribe({ from: start });
      const iterator = subscription[Symbol.asyncIterator]();
      const seen: SubscriptionMessage[] = [];
      while (!seen.some((message) => message.kind === 'caughtUp'))
        seen.push((await iterator.next()).value);
      expect(eventsOf(seen).map((event) => event.id)).toEqual(history.map((event) => event.id));
      expect(seen.some((message) => message.kind === 'checkpoint')).toBe(true);

      const live = newEvent();
      await log.append(stream, [live], { expectedRevision: 3n });
      let next: SubscriptionMessage;
      do next = (await iterator.next()).value;
      while (next.kind !== 'event');
      expect(next.event.id).toBe(live.id);
      await subscription.close();
    });

    it('filters by event type on the store, yet checkpoints past what it filtered out', async () => {
      const start = (await log.append(stream, [newEvent()], { expectedRevision: 'no_stream' }))
        .position;
      const wanted = newEvent({ type: 'ModelDeployed' });
      const last = await log.append(stream, [newEvent(), wanted, newEvent()], {
        expectedRevision: 0n,
      });
      const subscription = log.subscribe({
        from: start,
        filter: { eventTypes: ['ModelDeployed'] },
      });
      const messages = await collect(subscription, (seen) =>
        seen.some((m) => m.kind === 'caughtUp'),
      );
      await subscription.close();
      expect(eventsOf(messages).map((event) => event.id)).toEqual([wanted.id]);
      const checkpoints = messages.flatMap((m) => (m.kind === 'checkpoint' ? [m.position] : []));
      expect(checkpoints[checkpoints.length - 1]).toBe(last.position);
    });

    it('filters by stream prefix', async () => {
      const start = (
        await log.append(`${stream}-x`, [newEvent()], { expectedRevision: 'no_stream' })
      ).position;
      const mine = newEvent();
      await log.append(`${stream}_y`, [newEvent()], { expectedRevision: 'no_stream' });
      await log.append(`${stream}-z`, [mine], { expectedRevision: 'no_stream' });
      const subscription = log.subscribe({
        from: start,
        filter: { streamPrefixes: [`${stream}-`] },
      });
      const messages = await collect(subscription, (seen) =>
        seen.some((m) => m.kind === 'caughtUp'),
      );
      await subscription.close();
      expect(eventsOf(messages).map((event) => event.id)).toEqual([mine.id]);
    });
  });

  describe('hash chains', () => {
    if (capabilities.tamper(kind)) {
      it('verify names exactly the event whose stored data was changed behind the ledger', async () => {
        await log.append(stream, newEvents(3), { expectedRevision: 'no_stream' });
        const later = await log.append(`${stream}-later`, newEvents(2), {
          expectedRevision: 'no_stream',
        });
        await settled(log, later.position);
        expect((await verifyLedger(log)).ok).toBe(true);

        const [victim] = await log.readStream(stream, { fromRevision: 1n, maxCount: 1 });
        await fixture.tamper?.(victim.id, { ...victim.data, rows: 999 });

        const report = await verifyLedger(log);
        expect(report.ok).toBe(false);
        expect(report.mismatchCount).toBe(1);
        expect(report.firstMismatch).toMatchObject({
          stream,
          revision: 1,
          id: victim.id,
          reason: 'hash-mismatch',
        });
      });
    }

    if (isPostgresFamily(kind)) {
      it('keeps the ledger append-only for the application role', async () => {
        const { position } = await log.append(stream, [newEvent()], {
          expectedRevision: 'no_stream',
        });
        await expect(
          fixture.sql?.query(`UPDATE ledger_events SET type = 'X' WHERE stream = $1`, [stream]),
        ).rejects.toThrow(/append-only/);
        await expect(
          fixture.sql?.query('DELETE FROM ledger_events WHERE stream = $1', [stream]),
        ).rejects.toThrow(/append-only/);
        expect((await log.readStream(stream))[0].position).toBe(position);
      });
    }
  });

  if (kind === 'postgres') {
    it('answers LedgerUnavailable, and the process lives on, when a conditional append loses its connection while it waits', async () => {
      const read = `${stream}-read`;
      await log.append(read, [newEvent()], { expectedRevision: 'no_stream' });
      // Another session holds the stream's lock, so the append waits inside its transaction.
      const url = (fixture.database as DatabaseHandle).url;
      const holder = new Client({ connectionString: url });
      const killer = new Client({ connectionString: url });
      await Promise.all([holder.connect(), killer.connect()]);
      try {
        const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await holder.query('BEGIN');
        await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [
          STREAM_LOCK_NAMESPACE,
          streamLockKey(stream),
        ]);
        const waiting = log.append(stream, [newEvent()], {
          expectedRevision: 'no_stream',
          conditions: [{ stream: read, revision: 0n }],
        });
        const outcome = waiting.then(
          () => 'stored',
          (error: unknown) => error,
        );
        let settled = false;
        void outcome.then(() => (settled = true));
        // Polled outside the holder's transaction: a transaction keeps its first snapshot of
        // pg_stat_activity, so polling inside it would never see the waiter arrive.
        let terminated = 0;
        while (terminated === 0 && !settled) {
          const { rows } = await killer.query(
            `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1)
               AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%'`,
            [holderPid],
          );
          terminated = (rows[0] as { n: number }).n;
        }
        expect(await outcome).toBeInstanceOf(LedgerUnavailable);
        expect(terminated).toBe(1);
        await holder.query('ROLLBACK');
      } finally {
        await Promise.all([holder.end(), killer.end()]);
      }
      // The pool replaced the lost connection: the same append goes through now.
      await log.append(stream, [newEvent()], {
        expectedRevision: 'no_stream',
        conditions: [{ stream: read, revision: 0n }],
      });
      expect(await log.readStream(stream)).toHaveLength(1);
    });

    it('wakes another process’s subscription through NOTIFY, not by polling', async () => {
      const start = (await log.append(stream, [newEvent()], { expectedRevision: 'no_stream' }))
        .position;
      const other = createEventLog(
        fixture.database as DatabaseHandle,
        loadConfig({ LEDGER_POLL_INTERVAL_MS: '60000' }),
      );
      try {
        const subscription = other.subscribe({ from: start });
        const iterator = subscription[Symbol.asyncIterator]();
        while ((await iterator.next()).value.kind !== 'caughtUp');
        const pending = iterator.next();
        const live = newEvent();
        await log.append(stream, [live], { expectedRevision: 0n });
        // With a one-minute poll, only the notification can deliver within two seconds.
        const first = await Promise.race([pending, within(2000, 'no notification')]);
        expect(first).not.toBe('no notification');
        const message = (await pending).value as SubscriptionMessage;
        expect(message.kind === 'event' && message.event.id).toBe(live.id);
        await subscription.close();
      } finally {
        await other.close();
      }
    });

    it('listens again after its LISTEN connection is cut, and catches up on what it missed', async () => {
      const start = (await log.append(stream, [newEvent()], { expectedRevision: 'no_stream' }))
        .position;
      const other = createEventLog(
        fixture.database as DatabaseHandle,
        loadConfig({ LEDGER_POLL_INTERVAL_MS: '60000' }),
      );
      try {
        const subscription = other.subscribe({ from: start });
        const iterator = subscription[Symbol.asyncIterator]();
        while ((await iterator.next()).value.kind !== 'caughtUp');
        const pending = iterator.next();
        const { rows } = await (fixture.sql as Client).query(
          `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity
           WHERE datname = current_database() AND query = 'LISTEN attest_ledger_events'`,
        );
        expect(rows.length).toBeGreaterThan(0);
        const missed = newEvent();
        await log.append(stream, [missed], { expectedRevision: 0n });
        // Polling is a minute away: only the reconnect (after ~1 s) and its re-read can deliver.
        expect(await Promise.race([pending, within(5000, 'still deaf')])).not.toBe('still deaf');
        const message = (await pending).value as SubscriptionMessage;
        expect(message.kind === 'event' && message.event.id).toBe(missed.id);
        await subscription.close();
      } finally {
        await other.close();
      }
    });

    // PGlite runs one transaction at a time, so only a server can hold one open while another commits.
    it('never delivers an event past an earlier transaction that commits late', async () => {
      const start = (await log.append(stream, [newEvent()], { expectedRevision: 'no_stream' }))
        .position;
      const subscription = log.subscribe({ from: start });
      const iterator = subscription[Symbol.asyncIterator]();
      const first = async (predicate: (m: SubscriptionMessage) => boolean) => {
        for (;;) {
          const message = (await iterator.next()).value as SubscriptionMessage;
          if (predicate(message)) return message;
        }
      };
      await first((message) => message.kind === 'caughtUp');

      const slow = new Client({ connectionString: fixture.database?.url });
      await slow.connect();
      const lateId = newEvent().id;
      await slow.query('BEGIN');
      // Takes a transaction id and a global position now, commits only after the other append.
      await slow.query(
        `INSERT INTO ledger_events (id, stream, revision, type, data, metadata, hash, prev_hash)
         VALUES ($1, $2, 0, 'LateEvent', '{}', '{}', $3, $3)`,
        [lateId, `${stream}-late`, GENESIS_HASH],
      );
      const prompt = newEvent();
      const promptResult = await log.append(`${stream}-prompt`, [prompt], {
        expectedRevision: 'no_stream',
      });

      // While the slow transaction is open, neither a read nor the subscription hands out the prompt event.
      const pending = iterator.next();
      const readable = await log.readAll({ from: start });
      expect(readable.some((event) => event.id === prompt.id)).toBe(false);
      // The subscription keeps re-reading meanwhile (every 15 ms at first); give it a few rounds.
      expect(await Promise.race([pending.then(() => 'delivered'), within(300, 'held')])).toBe(
        'held',
      );

      await slow.query('COMMIT');
      await slow.end();
      const delivered: RecordedEvent[] = [];
      let message = (await pending).value as SubscriptionMessage;
      for (;;) {
        if (message.kind === 'event') delivered.push(message.event);
        if (delivered.length === 2) break;
        message = (await iterator.next()).value as SubscriptionMessage;
      }
      expect(delivered.map((event) => event.id)).toEqual([lateId, prompt.id]);
      expect(delivered[1].position).toBe(promptResult.position);
      await subscription.close();
    });

    /**
     * Delivers `append`'s event while `hold` keeps a transaction open (it has begun and taken a
     * transaction id, or not, as the case may be), without waiting for that transaction to end.
     */
    async function deliveredWhileOpen(hold: Client, begin: string[]): Promise<void> {
      const start = (await log.append(stream, [newEvent()], { expectedRevision: 'any' })).position;
      const subscription = log.subscribe({ from: start });
      const iterator = subscription[Symbol.asyncIterator]();
      try {
        while (((await iterator.next()).value as SubscriptionMessage).kind !== 'caughtUp');
        for (const statement of begin) await hold.query(statement);
        const prompt = newEvent();
        await log.append(`${stream}-prompt`, [prompt], { expectedRevision: 'any' });
        // The transaction stays open until the event is delivered: only a frontier that passes it
        // over can deliver; a subscription that waited for it would never end this loop.
        let message = (await iterator.next()).value as SubscriptionMessage;
        while (message.kind !== 'event')
          message = (await iterator.next()).value as SubscriptionMessage;
        expect(message.event.id).toBe(prompt.id);
        expect((await log.readAll({ from: start })).map((event) => event.id)).toContain(prompt.id);
      } finally {
        await hold.query('ROLLBACK').catch(() => undefined);
        await subscription.close();
      }
    }

    it('does not wait for a transaction open in another database of the server', async () => {
      const other = await scratchDatabase(fixture.database?.url as string, 'attest_other');
      const hold = new Client({ connectionString: other.url });
      await hold.connect();
      try {
        await deliveredWhileOpen(hold, [
          'BEGIN',
          'CREATE TABLE held (n int)',
          // It holds a transaction id, as the open transactions that used to delay delivery did.
          'SELECT pg_current_xact_id()',
        ]);
      } finally {
        await hold.end();
        await other.drop();
      }
    });

    it('does not wait for a read-only transaction, nor for a marked read-model transaction', async () => {
      const hold = new Client({ connectionString: fixture.database?.url });
      await hold.connect();
      try {
        await deliveredWhileOpen(hold, [
          'BEGIN TRANSACTION READ ONLY',
          'SELECT count(*) FROM ledger_events',
        ]);
        await deliveredWhileOpen(hold, [
          'BEGIN',
          MARK_READ_MODEL_TRANSACTION,
          'CREATE TEMP TABLE read_model_work (n int)',
          'SELECT pg_current_xact_id()',
        ]);
      } finally {
        await hold.end();
      }
    });

    it('still waits for an unmarked writing transaction of this database that may append', async () => {
      const start = (await log.append(stream, [newEvent()], { expectedRevision: 'no_stream' }))
        .position;
      const hold = new Client({ connectionString: fixture.database?.url });
      await hold.connect();
      try {
        await hold.query('BEGIN');
        await hold.query('CREATE TEMP TABLE maybe_appender (n int)');
        const prompt = newEvent();
        await log.append(`${stream}-prompt`, [prompt], { expectedRevision: 'no_stream' });
        expect((await log.readAll({ from: start })).map((event) => event.id)).not.toContain(
          prompt.id,
        );
        await hold.query('COMMIT');
        expect((await log.readAll({ from: start })).map((event) => event.id)).toContain(prompt.id);
      } finally {
        await hold.end();
      }
    });
  }
});
