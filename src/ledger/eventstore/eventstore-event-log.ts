import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  DeadlineExceededError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
  type Filter,
  type Position,
  type ResolvedEvent,
  type AllStreamResolvedEvent,
} from '@eventstore/db-client';
import { trackedSubscription } from '../tracked-subscription';
import { ChainStorage, ChainedAppender, RevisionTaken, StoredEventRef } from '../chained-append';
import { EMPTY_HEAD, SealedEvent, StreamHead } from '../hash-chain';
import { KeyedLock } from '../keyed-lock';
import { LedgerUnavailable, StreamDeleted, StreamMoved, StreamNotFound } from '../ledger.errors';
import type {
  AppendOptions,
  AppendResult,
  EventLog,
  JsonObject,
  LedgerPosition,
  NewEvent,
  EventPlace,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionFilter,
  SubscriptionMessage,
} from '../event-log.port';
import {
  compareEsdbPositions,
  formatEsdbPosition,
  isEsdbPosition,
  parseEsdbPosition,
} from './eventstore-positions';

export interface EventStoreEventLogOptions {
  onWarning?: (message: string, error?: unknown) => void;
  /** How far back a retried append is looked for in its stream. */
  retryLookback?: number;
}

/** Events per batch before the subscription hands out a checkpoint. */
const BATCH = 500;
const RESUBSCRIBE_MAX_MS = 10_000;
const DISPOSE_WAIT_MS = 2000;
/** Events looked through for a retried append: retries follow a lost reply closely. */
const RETRY_LOOKBACK = 256;

/**
 * The EventStoreDB adapter: the only module that imports @eventstore/db-client. It stores the
 * same hash chain as every adapter (in each event's metadata), maps revisions and errors to the
 * port's, and keeps subscriptions alive across dropped connections.
 */
export class EventStoreEventLog implements EventLog {
  private readonly appender: ChainedAppender;
  private readonly subscriptions = new Set<Subscription>();
  private readonly streamLocks = new KeyedLock();
  private closed = false;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EventStoreEventLogOptions = {},
  ) {
    const storage: ChainStorage = {
      refusesStoredIds: false,
      readHead: (stream) => this.readHead(stream),
      write: (stream, events) => this.write(stream, events),
      findStored: (stream, ids) => this.findStored(stream, ids),
    };
    this.appender = new ChainedAppender(storage);
  }

  static fromConnectionString(
    connectionString: string,
    options?: EventStoreEventLogOptions,
  ): EventStoreEventLog {
    return new EventStoreEventLog(EventStoreDBClient.connectionString(connectionString), options);
  }

  /**
   * EventStoreDB 24.10 appends to one stream at a time, so conditions are held here: every append
   * takes its stream's lock in this process, and one with conditions also takes theirs and reads
   * their heads before writing. That holds among the appends of one process; replicas writing to
   * one EventStoreDB can still race (docs/consistency.md).
   */
  append(
    stream: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const conditions = (options.conditions ?? []).filter((c) => c.stream !== stream);
    return this.streamLocks.hold([stream, ...conditions.map((c) => c.stream)], async () => {
      for (const condition of conditions) {
        const head = await this.readHead(condition.stream);
        const actual = head.revision < 0n ? 'no_stream' : head.revision.toString();
        const expected =
          condition.revision === 'no_stream' ? 'no_stream' : condition.revision.toString();
        if (actual !== expected) throw new StreamMoved(condition.stream, expected, actual);
      }
      return this.appender.append(stream, events, options.expectedRevision);
    });
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    return this.collect(() =>
      this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : START),
        ...(options.maxCount !== undefined ? { maxCount: BigInt(options.maxCount) } : {}),
      }),
    );
  }

  /** EventStoreDB reads by stream only: one read per place, sixteen at a time. */
  async readEvents(places: readonly EventPlace[]): Promise<RecordedEvent[]> {
    const found: (RecordedEvent | undefined)[] = new Array(places.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(16, places.length) }, async () => {
        for (let i = next++; i < places.length; i = next++) {
          const [event] = await this.readStream(places[i].stream, {
            fromRevision: places[i].revision,
            maxCount: 1,
          }).catch((error: unknown) => {
            if (error instanceof StreamNotFound) return [];
            throw error;
          });
          found[i] = event?.revision === places[i].revision ? event : undefined;
        }
      }),
    );
    return found.filter((event): event is RecordedEvent => event !== undefined);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? 1000;
    const events: RecordedEvent[] = [];
    let from: Position | typeof START = options.from ? parseEsdbPosition(options.from) : START;
    // The server's fromPosition is inclusive, the port's is not.
    let skip = options.from;
    // System events are left out, so a page may take several reads to fill.
    for (;;) {
      const page = await this.collectAll(from, maxCount + 1);
      for (const resolved of page) {
        const event = resolved.event;
        if (!event || formatEsdbPosition(event.position) === skip) continue;
        if (isSystem(event.type, event.streamId)) continue;
        events.push(toRecordedEvent(resolved));
        if (events.length === maxCount) return events;
      }
      const last = page[page.length - 1]?.event?.position;
      if (page.length < maxCount + 1 || !last) return events;
      from = last;
      skip = formatEsdbPosition(last);
    }
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    let stopped = false;
    let current: SubscriptionFeed | undefined;
    const messages = this.follow(
      options,
      () => stopped || this.closed,
      (feed) => (current = feed),
    );
    return trackedSubscription(messages, this.subscriptions, async () => {
      stopped = true;
      // Cancelling on the client side emits nothing, so wake the reader before unsubscribing.
      current?.stop();
      await current?.unsubscribe();
    });
  }

  comparePositions(a: LedgerPosition, b: LedgerPosition): number {
    return compareEsdbPositions(a, b);
  }

  isPosition(token: string): boolean {
    return isEsdbPosition(token);
  }

  async headPosition(): Promise<LedgerPosition | undefined> {
    try {
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
      })) {
        const position = resolved.event?.position ?? resolved.commitPosition;
        if (position === undefined) return undefined;
        return formatEsdbPosition(
          typeof position === 'bigint' ? { commit: position, prepare: position } : position,
        );
      }
      return undefined;
    } catch (error) {
      throw translateError(error);
    }
  }

  fractionOf(position: LedgerPosition | null, head: LedgerPosition): number {
    // Commit positions are byte offsets in the log: close enough to a share of it for progress.
    const to = Number(parseEsdbPosition(head).commit);
    if (position === null || to <= 0) return 0;
    return Math.min(1, Number(parseEsdbPosition(position).commit) / to);
  }

  async ping(): Promise<void> {
    try {
      for await (const _ of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        deadline: 2000,
      }))
        break;
    } catch (error) {
      throw translateError(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    // dispose() waits for every call to finish; one cut off by an outage may never report it.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), DISPOSE_WAIT_MS)),
    );
    const outcome = await Promise.race([this.client.dispose(), gaveUp]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      this.options.onWarning?.('EventStoreDB client calls did not finish on close; left behind');
  }

  private async *follow(
    options: SubscribeOptions,
    isStopped: () => boolean,
    onSubscribed: (feed: SubscriptionFeed) => void,
  ): AsyncGenerator<SubscriptionMessage, void, undefined> {
    let from = options.from;
    let retryMs = 100;
    while (!isStopped()) {
      const feed = new SubscriptionFeed();
      const subscription = this.client.subscribeToAll({
        fromPosition: from ? parseEsdbPosition(from) : START,
        filter: serverFilter(options.filter, (position) =>
          feed.checkpoint(formatEsdbPosition(position)),
        ),
      });
      feed.attach(subscription);
      onSubscribed(feed);
      try {
        for (;;) {
          const message = await feed.next(isStopped);
          if (!message) break;
          if (message.kind === 'event') {
            if (!matches(options.filter, message.event)) continue;
            retryMs = 100;
          }
          if (message.kind !== 'caughtUp')
            from = message.kind === 'event' ? message.event.position : message.position;
          yield message;
        }
      } catch (error) {
        if (isStopped()) break;
        this.options.onWarning?.(
          'EventStoreDB subscription dropped; resubscribing from the last position',
          error,
        );
        await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
        retryMs = Math.min(retryMs * 2, RESUBSCRIBE_MAX_MS);
      } finally {
        await subscription.unsubscribe().catch(() => undefined);
      }
    }
  }

  private async readHead(stream: string): Promise<StreamHead> {
    try {
      const [last] = await this.collect(() =>
        this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1n }),
      );
      return last ? { revision: last.revision, hash: last.metadata.integrity.hash } : EMPTY_HEAD;
    } catch (error) {
      if (error instanceof StreamNotFound) return EMPTY_HEAD;
      throw error;
    }
  }

  private async write(stream: string, events: SealedEvent[]): Promise<LedgerPosition> {
    const expected = events[0].revision === 0n ? NO_STREAM : events[0].revision - 1n;
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((event) =>
          jsonEvent({
            id: event.id,
            type: event.type,
            data: event.data,
            metadata: {
              ...event.metadata,
              integrity: { prevHash: event.prevHash, hash: event.hash },
            },
          }),
        ),
        { expectedRevision: expected },
      );
      if (!result.position)
        throw new Error('EventStoreDB did not return a position for the append');
      return formatEsdbPosition(result.position);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new RevisionTaken(error.message);
      throw translateError(error, stream);
    }
  }

  /** EventStoreDB has no index by event id: look for the ids near the end of the stream. */
  private async findStored(stream: string, ids: readonly string[]): Promise<StoredEventRef[]> {
    const wanted = new Set(ids);
    const found: StoredEventRef[] = [];
    try {
      const recent = await this.collect(() =>
        this.client.readStream(stream, {
          direction: BACKWARDS,
          fromRevision: END,
          maxCount: BigInt(this.options.retryLookback ?? RETRY_LOOKBACK),
        }),
      );
      for (const event of recent) {
        if (wanted.has(event.id))
          found.push({ id: event.id, stream, revision: event.revision, position: event.position });
      }
    } catch (error) {
      if (!(error instanceof StreamNotFound)) throw error;
    }
    return found;
  }

  private async collect(read: () => AsyncIterable<ResolvedEvent>): Promise<RecordedEvent[]> {
    const resolved = await drain(read);
    return resolved.flatMap((item) => (item.event ? [toRecordedEvent(item)] : []));
  }

  private collectAll(
    from: Position | typeof START,
    maxCount: number,
  ): Promise<AllStreamResolvedEvent[]> {
    return drain(() => this.client.readAll({ fromPosition: from, direction: FORWARDS, maxCount }));
  }
}

/** Reads a whole client stream, with the client's errors turned into the port's. */
async function drain<T>(read: () => AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const item of read()) items.push(item);
  } catch (error) {
    throw translateError(error);
  }
  return items;
}

/**
 * Turns the client's Readable into messages in order. A checkpoint or caughtUp the client reports
 * while events are still buffered is held back until they are handed out, so a checkpoint never
 * overtakes an event.
 */
class SubscriptionFeed {
  private readonly queue: SubscriptionMessage[] = [];
  private wake?: () => void;
  private failure?: unknown;
  private ended = false;
  private lastEvent?: LedgerPosition;
  private source?: AllStreamSubscription;
  /** caughtUp arrived while events were still buffered in the client: hand it out after them. */
  private caughtUpPending = false;
  private stopped = false;

  attach(source: AllStreamSubscription): void {
    this.source = source;
    source.on('data', (resolved: ResolvedEvent) => {
      if (!resolved.event) return;
      const event = toRecordedEvent(resolved);
      this.lastEvent = event.position;
      this.push({ kind: 'event', event });
      if (this.queue.length >= BATCH) source.pause();
    });
    source.on('caughtUp', () => {
      if (source.readableLength === 0) this.push({ kind: 'caughtUp', position: this.lastEvent });
      else this.caughtUpPending = true;
    });
    source.on('error', (error: unknown) => {
      this.failure = error;
      this.notify();
    });
    source.on('end', () => {
      this.ended = true;
      this.notify();
    });
  }

  stop(): void {
    this.stopped = true;
    this.notify();
  }

  async unsubscribe(): Promise<void> {
    await this.source?.unsubscribe().catch(() => undefined);
  }

  checkpoint(position: LedgerPosition): void {
    // Only when every event before it has been handed over: the client's buffer is empty.
    if (this.source && this.source.readableLength === 0)
      this.push({ kind: 'checkpoint', position });
  }

  /** The next message; after a run of events, a checkpoint at the last one. */
  async next(isStopped: () => boolean): Promise<SubscriptionMessage | undefined> {
    for (;;) {
      if (isStopped() || this.stopped) return undefined;
      const message = this.queue.shift();
      if (message) {
        if (this.queue.length === 0) this.source?.resume();
        if (message.kind === 'event' && this.queue[0]?.kind !== 'event') {
          this.queue.unshift({ kind: 'checkpoint', position: message.event.position });
        }
        return message;
      }
      if (this.caughtUpPending && this.source?.readableLength === 0) {
        this.caughtUpPending = false;
        return { kind: 'caughtUp', position: this.lastEvent };
      }
      if (this.failure) throw this.failure;
      if (this.ended) throw new Error('EventStoreDB subscription ended');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private push(message: SubscriptionMessage): void {
    this.queue.push(message);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * Event types are matched here, not on the server: the server checkpoints a filtered live
 * subscription only every 32 events it scans, so a projection whose types are rare would lag
 * behind read-your-writes. Each skipped run of events still ends in a checkpoint (the feed adds
 * one after every run), so every projection's position follows the head of the log.
 */
function serverFilter(
  filter: SubscriptionFilter | undefined,
  onCheckpoint: (position: Position) => void,
): Filter {
  const checkpoint = {
    checkpointInterval: 1,
    checkpointReached: (_s: unknown, position: Position) => onCheckpoint(position),
  };
  if (filter?.streamPrefixes)
    return streamNameFilter({ prefixes: [...filter.streamPrefixes], ...checkpoint });
  return { ...excludeSystemEvents(), ...checkpoint } as Filter;
}

function matches(filter: SubscriptionFilter | undefined, event: RecordedEvent): boolean {
  if (isSystem(event.type, event.stream)) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return (
    !filter?.streamPrefixes ||
    filter.streamPrefixes.some((prefix) => event.stream.startsWith(prefix))
  );
}

function isSystem(type: string, stream: string): boolean {
  return type.startsWith('$') || stream.startsWith('$');
}

function toRecordedEvent(resolved: ResolvedEvent): RecordedEvent {
  const event = resolved.event as NonNullable<ResolvedEvent['event']>;
  const metadata = (event.metadata ?? {}) as unknown as RecordedEvent['metadata'];
  return {
    id: event.id,
    type: event.type,
    stream: event.streamId,
    revision: event.revision,
    data: (event.isJson ? event.data : {}) as JsonObject,
    metadata,
    position: event.position ? formatEsdbPosition(event.position) : '',
    recordedAt: event.created,
  };
}

function translateError(error: unknown, stream?: string): unknown {
  if (error instanceof StreamNotFoundError)
    return new StreamNotFound(error.streamName ?? stream ?? '');
  if (error instanceof StreamDeletedError)
    return new StreamDeleted(error.streamName ?? stream ?? '');
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    isGrpcUnavailable(error)
  ) {
    return new LedgerUnavailable(`EventStoreDB: ${(error as Error).message}`);
  }
  return error;
}

/** After a failed append the client may rethrow the raw gRPC error: UNAVAILABLE (14) or DEADLINE_EXCEEDED (4). */
function isGrpcUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 14 || code === 4;
}
