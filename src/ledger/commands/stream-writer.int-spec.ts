import type { LedgerFixture } from '../../../tests/support/ledger-fixtures';
import { ledgerKinds, openLedger } from '../../../tests/support/ledger-fixtures';
import type { CommandContext } from './command-context';
import type { Decider, DomainEvent } from './decider';
import { StreamWriter } from './stream-writer';

type Counted = DomainEvent<'Counted', { item: string }>;
type Count = { type: 'Count'; item: string };
type Tally = { items: string[] };

/** Counts each item once: a repeat is an empty decision. */
const tally: Decider<Count, Counted, Tally> = {
  initialState: () => ({ items: [] }),
  evolve: (state, event) => ({ items: [...state.items, event.data.item] }),
  decide: (command, state) =>
    state.items.includes(command.item) ? [] : [{ type: 'Counted', data: { item: command.item } }],
};

const context = (key?: string): CommandContext => ({
  actor: { sub: 'tester', roles: ['pipeline'] },
  now: '2026-11-27T00:00:00.000Z',
  correlationId: 'corr-1',
  commandId: 'cmd-1',
  ...(key ? { idempotencyKey: key } : {}),
});

describe.each(ledgerKinds())('StreamWriter on %s', (kind) => {
  let ledger: LedgerFixture;

  beforeAll(async () => {
    ledger = await openLedger(kind);
  });
  afterAll(() => ledger.close());

  it('sees what another writer appended after it cached the stream', async () => {
    const [a, b] = [new StreamWriter(ledger.log), new StreamWriter(ledger.log)];
    await a.execute('tally-shared', tally, { type: 'Count', item: 'x' }, context());
    await b.execute('tally-shared', tally, { type: 'Count', item: 'y' }, context());
    const outcome = await a.execute('tally-shared', tally, { type: 'Count', item: 'z' }, context());
    expect(outcome.state.items).toEqual(['x', 'y', 'z']);
    const repeat = await b.execute('tally-shared', tally, { type: 'Count', item: 'x' }, context());
    expect(repeat).toMatchObject({
      events: [],
      eventIds: [],
      ledgerPosition: outcome.ledgerPosition,
    });
    const stored = await ledger.log.readStream('tally-shared');
    expect(stored.map((event) => event.data.item)).toEqual(['x', 'y', 'z']);
    expect(stored[0].metadata).toMatchObject({
      actor: { sub: 'tester' },
      correlationId: 'corr-1',
      causationId: 'cmd-1',
    });
  });

  it('decides again after losing a race, so every concurrent command lands once', async () => {
    const writers = [new StreamWriter(ledger.log), new StreamWriter(ledger.log)];
    const items = Array.from({ length: 12 }, (_, i) => `item-${i}`);
    await Promise.all(
      items.map((item, i) =>
        writers[i % 2].execute('tally-race', tally, { type: 'Count', item }, context()),
      ),
    );
    const stored = await ledger.log.readStream('tally-race');
    expect(stored.map((event) => event.data.item).sort()).toEqual([...items].sort());
  });

  it('derives event ids from an Idempotency-Key, so a retry by a fresh writer stores nothing new', async () => {
    const first = await new StreamWriter(ledger.log).execute(
      'tally-keyed',
      tally,
      { type: 'Count', item: 'k' },
      context('key-7'),
    );
    const again = await new StreamWriter(ledger.log).execute(
      'tally-keyed',
      tally,
      { type: 'Count', item: 'k' },
      context('key-7'),
    );
    expect(again.eventIds).toEqual([]);
    const stored = await ledger.log.readStream('tally-keyed');
    expect(stored.map((event) => event.id)).toEqual(first.eventIds);
  });
});
