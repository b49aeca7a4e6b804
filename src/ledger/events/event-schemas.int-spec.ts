import { z } from 'zod';
import type { LedgerFixture } from '../../../tests/support/ledger-fixtures';
import { ledgerKinds, openLedger } from '../../../tests/support/ledger-fixtures';
import type { CommandContext } from '../commands/command-context';
import type { Decider } from '../commands/decider';
import { StreamWriter } from '../commands/stream-writer';
import type { NewEvent, RecordedEvent } from '../event-log.port';
import { toProblem } from '../http/problem-details.filter';
import { type EventOf, defineEvent } from './define-event';
import { decodeRecorded } from './event-registry';
import { EventSchemaMismatch, EventVersionUnreadable } from './event-schema-mismatch';

/**
 * A test event type at schema version 2 (README, "Event schemas"): version 1 held one `owner`
 * string; version 2 holds `owners`, a list, and the reviewer's `note` (null when none).
 */
const ShelvedEvent = defineEvent({
  type: 'SchemaProbeShelved',
  schemaVersion: 2,
  schema: z.object({
    item: z.string(),
    owners: z.array(z.string()),
    note: z.string().nullable(),
    count: z.number(),
  }),
  upcasts: {
    1: (v1: { item: string; owner: string; count: number }) => ({
      item: v1.item,
      owners: [v1.owner],
      note: null,
      count: v1.count,
    }),
  },
});
type Shelved = EventOf<typeof ShelvedEvent>;

type Shelve = { item: string; owners: unknown; count: unknown };
type Shelf = { items: string[]; owners: string[] };

/** Folds a shelf; `evolve` reads only the version-2 shape. */
const shelf: Decider<Shelve, Shelved, Shelf> = {
  initialState: () => ({ items: [], owners: [] }),
  evolve: (state, event) => ({
    items: [...state.items, event.data.item],
    owners: [...state.owners, ...event.data.owners],
  }),
  decide: (command) => [
    {
      type: 'SchemaProbeShelved',
      // A decider that gets its types wrong: the schema, not the compiler, is what stops it here.
      data: { item: command.item, owners: command.owners, note: null, count: command.count } as {
        item: string;
        owners: string[];
        note: null;
        count: number;
      },
    },
  ],
};

const context: CommandContext = {
  actor: { sub: 'tester', roles: ['pipeline'] },
  now: '2026-11-27T00:00:00.000Z',
  correlationId: 'corr-1',
  commandId: 'cmd-1',
};

/** A version-1 event as an older release recorded it, appended raw through the log. */
function v1Event(id: string, item: string, owner: string): NewEvent {
  return {
    id,
    type: 'SchemaProbeShelved',
    data: { item, owner, count: 3 },
    metadata: {
      schemaVersion: 1,
      occurredAt: '2026-01-01T00:00:00.000Z',
      actor: { sub: 'old-release', roles: ['pipeline'] },
      correlationId: id,
      causationId: id,
    },
  };
}

describe.each(ledgerKinds())('event schemas on %s (README, "Event schemas")', (kind) => {
  let ledger: LedgerFixture;

  beforeAll(async () => {
    ledger = await openLedger(kind);
  });
  afterAll(() => ledger.close());

  it('reads a version-1 event as version 2, through the projection path and the stream writer', async () => {
    const stream = `shelf-${kind}-upcast`;
    await ledger.log.append(
      stream,
      [v1Event('0193a0b0-0000-7000-8000-000000000001', 'ledger', 'risk')],
      { expectedRevision: 'no_stream' },
    );

    // Stored as it was recorded: version 1, and the hash over that data.
    const [stored] = await ledger.log.readStream(stream);
    expect(stored.metadata.schemaVersion).toBe(1);
    expect(stored.data).toEqual({ item: 'ledger', owner: 'risk', count: 3 });

    // The projection path: every event read from the ledger is decoded before a projection sees it.
    const read = (await ledger.log.readAll()).filter((event) => event.stream === stream);
    const [decoded] = read.map(decodeRecorded);
    expect(decoded.data).toEqual({ item: 'ledger', owners: ['risk'], note: null, count: 3 });
    expect(decoded.metadata.schemaVersion).toBe(2);
    expect(decoded.metadata.integrity).toEqual(stored.metadata.integrity);
    expect(decoded).toMatchObject({ id: stored.id, stream, revision: 0n });

    // The stream writer's read: a decider folds the version-2 shape, and a new event is version 2.
    const writer = new StreamWriter(ledger.log);
    const loaded = await writer.load(shelf, stream);
    expect(loaded.events).toEqual([
      {
        type: 'SchemaProbeShelved',
        data: { item: 'ledger', owners: ['risk'], note: null, count: 3 },
      },
    ]);
    expect(loaded.state).toEqual({ items: ['ledger'], owners: ['risk'] });
    expect(loaded.recorded[0].data).toEqual(stored.data);

    const outcome = await writer.execute(
      stream,
      shelf,
      { item: 'audit', owners: ['compliance'], count: 1 },
      context,
    );
    expect(outcome.state).toEqual({ items: ['ledger', 'audit'], owners: ['risk', 'compliance'] });
    const [, appended] = await ledger.log.readStream(stream);
    expect(appended.metadata.schemaVersion).toBe(ShelvedEvent.schemaVersion);
    expect(appended.data).toEqual({ item: 'audit', owners: ['compliance'], note: null, count: 1 });
    expect(decodeRecorded(appended)).toBe(appended);
  });

  it('refuses a bad payload through the stream writer, naming the field, and stores nothing', async () => {
    const stream = `shelf-${kind}-refused`;
    const writer = new StreamWriter(ledger.log);
    const before = await ledger.log.headPosition();
    const error = await writer
      .execute(stream, shelf, { item: 'x', owners: 'risk', count: 'Jane Citizen' }, context)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventSchemaMismatch);
    expect((error as EventSchemaMismatch).fields).toEqual({
      'data.owners': ['expected array'],
      'data.count': ['expected number'],
    });
    expect((error as Error).message).toContain('SchemaProbeShelved');
    expect((error as Error).message).not.toContain('Jane');
    expect(await ledger.log.headPosition()).toBe(before);
    await expect(ledger.log.readStream(stream)).rejects.toThrow(/does not exist/);

    // The answer is a problem, not a stack: the type and fields, never the value.
    const problem = toProblem(error);
    expect(problem).toMatchObject({
      status: 500,
      code: 'event-schema-mismatch',
      eventType: 'SchemaProbeShelved',
      errors: { 'data.owners': ['expected array'], 'data.count': ['expected number'] },
    });
    expect(JSON.stringify(problem)).not.toContain('Jane');
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses to fold a stored event no upcast can bring to the current shape', async () => {
    const stream = `shelf-${kind}-unreadable`;
    await ledger.log.append(
      stream,
      [
        {
          ...v1Event('0193a0b0-0000-7000-8000-000000000003', 'a', 'b'),
          data: { item: 'a', owner: 'b', count: 'many' },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    const future = {
      ...v1Event('0193a0b0-0000-7000-8000-000000000004', 'a', 'b'),
      metadata: { ...v1Event('x', 'a', 'b').metadata, schemaVersion: 3 },
    };
    await ledger.log.append(`${stream}-future`, [future], { expectedRevision: 'no_stream' });

    const writer = new StreamWriter(ledger.log);
    await expect(writer.load(shelf, stream)).rejects.toThrow(
      'SchemaProbeShelved (schema version 2) does not match its schema on read: data.count expected number',
    );
    const [newer] = await ledger.log.readStream(`${stream}-future`);
    expect(() => decodeRecorded(newer as RecordedEvent)).toThrow(EventVersionUnreadable);
  });
});
