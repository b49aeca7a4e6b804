import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  binaryEvent,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
  type EventData,
  type Filter,
  type Position,
  type ResolvedEvent,
  type StreamSubscription,
} from '@eventstore/db-client';
import { EsdbEmulator, startEsdbEmulator } from './index';

type Seen =
  | { kind: 'event'; event: NonNullable<ResolvedEvent['event']> }
  | { kind: 'checkpoint'; position: Position }
  | { kind: 'caughtUp' }
  | { kind: 'error'; error: unknown };

/** Everything a subscription delivered, in order. */
class Recorder {
  readonly seen: Seen[] = [];

  attach(subscription: AllStreamSubscription | StreamSubscription): this {
    subscription.on('data', (resolved: ResolvedEvent) => {
      if (resolved.event) this.seen.push({ kind: 'event', event: resolved.event });
    });
    subscription.on('caughtUp', () => this.seen.push({ kind: 'caughtUp' }));
    subscription.on('error', (error: unknown) => this.seen.push({ kind: 'error', error }));
    return this;
  }

  checkpoint = (_subscription: unknown, position: Position) => {
    this.seen.push({ kind: 'checkpoint', position });
  };

  get events() {
    return this.seen.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
  }

  /** The record as short strings: event types, `checkpoint@<commit>`, `caughtUp`, `error`. */
  get timeline(): string[] {
    return this.seen.map((item) =>
      item.kind === 'event'
        ? item.event.type
        : item.kind === 'checkpoint'
          ? `checkpoint@${item.position.commit}`
          : item.kind,
    );
  }

  async until(done: (recorder: Recorder) => boolean): Promise<void> {
    await waitFor(
      () => done(this),
      () => `subscription saw: ${this.timeline.join(', ')}`,
    );
  }
}

async function waitFor(done: () => boolean, describe: () => string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out; ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function events(...types: string[]): EventData[] {
  return types.map((type, index) =>
    jsonEvent({ type, data: { type, index }, metadata: { correlationId: randomUUID() } }),
  );
}

function stream(prefix = 'stream'): string {
  return `${prefix}-${randomUUID()}`;
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

describe('EventStoreDB emulator, driven by @eventstore/db-client', () => {
  let emulator: EsdbEmulator;
  let client: EventStoreDBClient;
  const subscriptions: Array<AllStreamSubscription | StreamSubscription> = [];

  beforeEach(async () => {
    emulator = await startEsdbEmulator();
    client = EventStoreDBClient.connectionString(emulator.connectionString);
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((s) => s.unsubscribe()));
    await client.dispose();
    await emulator.stop();
  });

  const readStream = (name: string, options?: Parameters<EventStoreDBClient['readStream']>[1]) =>
    collect(client.readStream(name, options)).then((read) => read.map((r) => r.event!));
  const readAll = (options?: Parameters<EventStoreDBClient['readAll']>[0]) =>
    collect(client.readAll(options)).then((read) => read.map((r) => r.event!));

  function subscribeToAll(
    options: { fromPosition?: Position | typeof START | typeof END; filter?: Partial<Filter> } = {},
  ): Recorder {
    const recorder = new Recorder();
    const filter = options.filter && { ...options.filter, checkpointReached: recorder.checkpoint };
    const subscription = client.subscribeToAll({
      fromPosition: options.fromPosition,
      filter: filter as Filter | undefined,
    });
    subscriptions.push(subscription);
    return recorder.attach(subscription);
  }

  it('appends events and reads them back with ids, data, metadata, revisions and positions', async () => {
    const name = stream();
    const written = [
      ...events('Opened', 'Renamed'),
      binaryEvent({ type: 'Blob', data: Uint8Array.from([0, 1, 2, 255]) }),
    ];

    const result = await client.appendToStream(name, written, { expectedRevision: NO_STREAM });
    const read = await readStream(name);

    expect(result).toMatchObject({ success: true, nextExpectedRevision: 2n });
    expect(read.map((e) => [e.id, e.type, e.streamId, e.revision])).toEqual([
      [written[0].id, 'Opened', name, 0n],
      [written[1].id, 'Renamed', name, 1n],
      [written[2].id, 'Blob', name, 2n],
    ]);
    expect(read[0]).toMatchObject({
      isJson: true,
      data: written[0].data,
      metadata: written[0].metadata,
    });
    expect(read[2].isJson).toBe(false);
    expect(Buffer.from(read[2].data as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(read[2].metadata).toBeUndefined();

    const positions = read.map((e) => e.position!);
    for (const position of positions) expect(position.prepare).toBe(position.commit);
    for (let i = 1; i < positions.length; i += 1) {
      expect(positions[i].commit - positions[i - 1].commit).toBeGreaterThan(1n);
    }
    expect(result.position).toEqual(positions[2]);

    for (const event of read) {
      expect(event.created).toBeInstanceOf(Date);
      expect(Math.abs(event.created.getTime() - Date.now())).toBeLessThan(10_000);
    }
  });

  it('enforces expected revisions and reports the actual revision when they do not match', async () => {
    const name = stream();
    const append = (expectedRevision: Parameters<typeof client.appendToStream>[2]) =>
      client.appendToStream(name, events('Happened'), expectedRevision);

    await expect(append({ expectedRevision: STREAM_EXISTS })).rejects.toMatchObject({
      constructor: WrongExpectedVersionError,
      streamName: name,
      expectedVersion: STREAM_EXISTS,
      actualVersion: NO_STREAM,
    });
    await expect(append({ expectedRevision: NO_STREAM })).resolves.toMatchObject({
      nextExpectedRevision: 0n,
    });
    await expect(append({ expectedRevision: NO_STREAM })).rejects.toMatchObject({
      constructor: WrongExpectedVersionError,
      expectedVersion: NO_STREAM,
      actualVersion: 0n,
    });
    await expect(append({ expectedRevision: 0n })).resolves.toMatchObject({
      nextExpectedRevision: 1n,
    });
    await expect(append({ expectedRevision: 0n })).rejects.toMatchObject({
      constructor: WrongExpectedVersionError,
      expectedVersion: 0n,
      actualVersion: 1n,
    });
    await expect(append({ expectedRevision: 5n })).rejects.toMatchObject({ actualVersion: 1n });
    await expect(append({ expectedRevision: STREAM_EXISTS })).resolves.toMatchObject({
      nextExpectedRevision: 2n,
    });
    await expect(append({ expectedRevision: ANY })).resolves.toMatchObject({
      nextExpectedRevision: 3n,
    });
  });

  it('returns success without duplicating when the same event ids are appended again', async () => {
    const name = stream();
    const [a, b, c] = events('A', 'B', 'C');

    const first = await client.appendToStream(name, [a, b], { expectedRevision: NO_STREAM });
    const again = await client.appendToStream(name, [a, b], { expectedRevision: NO_STREAM });
    const againAny = await client.appendToStream(name, [a, b]);
    await client.appendToStream(name, [c], { expectedRevision: 1n });
    const againExact = await client.appendToStream(name, [c], { expectedRevision: 1n });

    expect(again).toEqual(first);
    expect(againAny).toEqual(first);
    expect(againExact.nextExpectedRevision).toBe(2n);
    expect((await readStream(name)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
    // Only part of the batch matching what is stored is not idempotent.
    await expect(
      client.appendToStream(name, [a, ...events('D')], { expectedRevision: NO_STREAM }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
  });

  it('reads a stream forwards, backwards, from a revision and with maxCount', async () => {
    const name = stream();
    await client.appendToStream(name, events('E0', 'E1', 'E2', 'E3', 'E4'));
    const types = async (options: Parameters<typeof readStream>[1]) =>
      (await readStream(name, options)).map((e) => e.type);

    expect(await types({})).toEqual(['E0', 'E1', 'E2', 'E3', 'E4']);
    expect(await types({ direction: BACKWARDS, fromRevision: END })).toEqual([
      'E4',
      'E3',
      'E2',
      'E1',
      'E0',
    ]);
    expect(await types({ fromRevision: 2n })).toEqual(['E2', 'E3', 'E4']);
    expect(await types({ fromRevision: 2n, direction: BACKWARDS })).toEqual(['E2', 'E1', 'E0']);
    expect(await types({ maxCount: 2 })).toEqual(['E0', 'E1']);
    expect(await types({ direction: BACKWARDS, fromRevision: END, maxCount: 1n })).toEqual(['E4']);
    expect(await types({ fromRevision: 10n })).toEqual([]);
  });

  it('reports StreamNotFoundError when reading a stream that does not exist', async () => {
    const name = stream('missing');
    await expect(readStream(name)).rejects.toMatchObject({
      constructor: StreamNotFoundError,
      streamName: name,
    });
  });

  it('reads $all forwards and backwards, with maxCount and fromPosition', async () => {
    await client.appendToStream(stream('left'), events('L1', 'L2'));
    await client.appendToStream(stream('right'), events('R1', 'R2'));
    const all = await readAll();
    const third = all[2].position!;
    const types = async (options: Parameters<typeof readAll>[0]) =>
      (await readAll(options)).map((e) => e.type);

    expect(all.map((e) => e.type)).toEqual(['L1', 'L2', 'R1', 'R2']);
    expect(await types({ direction: BACKWARDS, fromPosition: END })).toEqual([
      'R2',
      'R1',
      'L2',
      'L1',
    ]);
    expect(await types({ maxCount: 2 })).toEqual(['L1', 'L2']);
    expect(await types({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })).toEqual(['R2']);
    // Forwards includes the event at the position, backwards starts before it.
    expect(await types({ fromPosition: third })).toEqual(['R1', 'R2']);
    expect(await types({ fromPosition: third, direction: BACKWARDS })).toEqual(['L2', 'L1']);
  });

  it('subscribes to $all from the start: history, then caughtUp, then live events', async () => {
    await client.appendToStream(stream(), events('Past1', 'Past2'));
    const recorder = subscribeToAll();

    await recorder.until((r) => r.timeline.includes('caughtUp'));
    await client.appendToStream(stream(), events('Live1'));
    await recorder.until((r) => r.events.length === 3);

    expect(recorder.timeline).toEqual(['Past1', 'Past2', 'caughtUp', 'Live1']);
  });

  it('subscribes to $all after a position (exclusive) or from the end', async () => {
    await client.appendToStream(stream(), events('First', 'Second', 'Third'));
    const [, second] = await readAll();
    const fromSecond = subscribeToAll({ fromPosition: second.position });
    const fromEnd = subscribeToAll({ fromPosition: END });

    await fromSecond.until((r) => r.timeline.includes('caughtUp'));
    await fromEnd.until((r) => r.timeline.includes('caughtUp'));
    await client.appendToStream(stream(), events('Fourth'));
    await fromSecond.until((r) => r.events.length === 2);
    await fromEnd.until((r) => r.events.length === 1);

    expect(fromSecond.timeline).toEqual(['Third', 'caughtUp', 'Fourth']);
    expect(fromEnd.timeline).toEqual(['caughtUp', 'Fourth']);
  });

  it('filters $all subscriptions by event type or stream name, with prefixes or a regex', async () => {
    await client.appendToStream('orders-1', events('OrderPlaced', 'OrderShipped'));
    await client.appendToStream('users-1', events('UserJoined', '$UserMetadata'));
    const seenTypes = async (filter: Filter) => {
      const recorder = subscribeToAll({ filter });
      await recorder.until((r) => r.timeline.includes('caughtUp'));
      return recorder.events.map((e) => e.type);
    };

    expect(await seenTypes(eventTypeFilter({ prefixes: ['Order'] }))).toEqual([
      'OrderPlaced',
      'OrderShipped',
    ]);
    expect(await seenTypes(eventTypeFilter({ regex: '^User|Shipped$' }))).toEqual([
      'OrderShipped',
      'UserJoined',
    ]);
    expect(await seenTypes(streamNameFilter({ prefixes: ['users-'] }))).toEqual([
      'UserJoined',
      '$UserMetadata',
    ]);
    expect(await seenTypes(streamNameFilter({ regex: '^orders-\\d+$' }))).toEqual([
      'OrderPlaced',
      'OrderShipped',
    ]);
    expect(await seenTypes(excludeSystemEvents())).toEqual([
      'OrderPlaced',
      'OrderShipped',
      'UserJoined',
    ]);
  });

  it('sends checkpoints to a filtered subscription even when nothing matches', async () => {
    await client.appendToStream(stream(), events('A1', 'A2', 'A3', 'A4', 'A5'));
    const positions = (await readAll()).map((e) => e.position!.commit);
    const recorder = subscribeToAll({
      filter: eventTypeFilter({ prefixes: ['Nothing'], maxSearchWindow: 2, checkpointInterval: 1 }),
    });

    await recorder.until((r) => r.timeline.includes('caughtUp'));
    const caughtUp = recorder.timeline;
    await client.appendToStream(stream(), events('B1', 'B2'));
    const live = (await readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))[0];
    await recorder.until((r) => r.timeline.length > caughtUp.length);

    expect(recorder.events).toEqual([]);
    // Every two considered events during catch-up, once more at its end, then live again.
    expect(caughtUp).toEqual([
      `checkpoint@${positions[1]}`,
      `checkpoint@${positions[3]}`,
      `checkpoint@${positions[4]}`,
      'caughtUp',
    ]);
    expect(recorder.timeline.slice(caughtUp.length)).toEqual([
      `checkpoint@${live.position!.commit}`,
    ]);
  });

  it('soft-deletes a stream: it reads as not found and a later append recreates it', async () => {
    const name = stream();
    await client.appendToStream(name, events('Old1', 'Old2'));

    const deleted = await client.deleteStream(name);
    expect(deleted.position?.commit).toBeGreaterThan(0n);
    await expect(readStream(name)).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(
      client.appendToStream(name, events('New'), { expectedRevision: STREAM_EXISTS }),
    ).rejects.toBeInstanceOf(StreamDeletedError);

    const recreated = await client.appendToStream(name, events('New'), {
      expectedRevision: NO_STREAM,
    });
    expect(recreated.nextExpectedRevision).toBe(2n);
    expect((await readStream(name)).map((e) => [e.type, e.revision])).toEqual([['New', 2n]]);
    // Soft-deleting a stream that never existed fails, even without an expectation.
    await expect(client.deleteStream(stream('never'))).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
  });

  it('tombstones a stream: reading, appending and deleting it report StreamDeletedError', async () => {
    const name = stream();
    await client.appendToStream(name, events('Only'));

    await client.tombstoneStream(name);

    await expect(readStream(name)).rejects.toMatchObject({
      constructor: StreamDeletedError,
      streamName: name,
    });
    await expect(client.appendToStream(name, events('Again'))).rejects.toMatchObject({
      constructor: StreamDeletedError,
      streamName: name,
    });
    await expect(client.deleteStream(name)).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.tombstoneStream(name)).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.deleteStream(stream(), { expectedRevision: 3n })).rejects.toMatchObject({
      constructor: WrongExpectedVersionError,
      expectedVersion: 3n,
    });
  });

  it('refuses appends larger than the server maximum append size', async () => {
    const big = binaryEvent({ type: 'Big', data: new Uint8Array(1024 * 1024 + 1) });
    await expect(client.appendToStream(stream(), big)).rejects.toMatchObject({
      constructor: MaxAppendSizeExceededError,
      maxAppendSize: 1024 * 1024,
    });
  });

  it('subscribes to a single stream after a revision', async () => {
    const name = stream();
    await client.appendToStream(name, events('S0', 'S1', 'S2'));
    await client.appendToStream(stream(), events('Elsewhere'));
    const recorder = new Recorder();
    const subscription = client.subscribeToStream(name, { fromRevision: 0n });
    subscriptions.push(subscription);
    recorder.attach(subscription);

    await recorder.until((r) => r.timeline.includes('caughtUp'));
    await client.appendToStream(name, events('S3'));
    await recorder.until((r) => r.events.length === 3);

    expect(recorder.timeline).toEqual(['S1', 'S2', 'caughtUp', 'S3']);
  });

  it('ends a subscription cleanly when the client unsubscribes', async () => {
    const recorder = new Recorder();
    const subscription = client.subscribeToAll();
    recorder.attach(subscription);
    await recorder.until((r) => r.timeline.includes('caughtUp'));
    expect(emulator.activeSubscriptions).toBe(1);

    await subscription.unsubscribe();
    await waitFor(
      () => emulator.activeSubscriptions === 0,
      () => 'the server still holds the subscription',
    );
    await client.appendToStream(stream(), events('AfterUnsubscribe'));
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(recorder.timeline).toEqual(['caughtUp']);
  });

  it('fails calls with UnavailableError while paused and serves the kept data after resume', async () => {
    const name = stream();
    await client.appendToStream(name, events('BeforePause'));
    const recorder = subscribeToAll();
    await recorder.until((r) => r.timeline.includes('caughtUp'));

    await emulator.pause();

    await recorder.until((r) => r.timeline.includes('error'));
    expect(recorder.seen.at(-1)).toMatchObject({ error: expect.any(UnavailableError) });
    expect(emulator.activeSubscriptions).toBe(0);
    await expect(readStream(name)).rejects.toBeInstanceOf(UnavailableError);
    // With the server gone the client also has to re-fetch the server features, and that
    // failure reaches the caller as the raw gRPC error (code 14, UNAVAILABLE).
    await expect(client.appendToStream(name, events('WhilePaused'))).rejects.toMatchObject({
      code: 14,
    });

    await emulator.resume();

    await client.appendToStream(name, events('AfterResume'));
    expect((await readStream(name)).map((e) => e.type)).toEqual(['BeforePause', 'AfterResume']);
    expect(emulator.connectionString).toBe(`esdb://127.0.0.1:${emulator.port}?tls=false`);
  });
});
