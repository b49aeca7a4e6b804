import { DuplicateEventId, UnstorableEvent, WrongExpectedVersion } from './ledger.errors';
import { EMPTY_HEAD, SealedEvent, StreamHead, sealEvents } from './hash-chain';
import type {
  AppendResult,
  ExpectedRevision,
  LedgerPosition,
  NewEvent,
  StreamCondition,
} from './event-log.port';

/** What an adapter offers the shared append algorithm. */
export interface ChainStorage {
  /** The store refuses an event id it already holds (PostgreSQL's primary key); EventStoreDB does not. */
  readonly refusesStoredIds: boolean;
  readHead(stream: string): Promise<StreamHead>;
  /**
   * Writes the sealed events; throws RevisionTaken or EventIdTaken on a unique conflict, and
   * StreamMoved when a condition no longer holds at the moment of the write (checked atomically
   * with it, and against every other append of those streams).
   */
  write(
    stream: string,
    events: SealedEvent[],
    conditions: readonly StreamCondition[],
  ): Promise<LedgerPosition>;
  /** Where these ids are stored, if anywhere (an adapter may look only in `stream`). */
  findStored(stream: string, ids: readonly string[]): Promise<StoredEventRef[]>;
}

export interface StoredEventRef {
  id: string;
  stream: string;
  revision: bigint;
  position: LedgerPosition;
}

export class RevisionTaken extends Error {}
export class EventIdTaken extends Error {}

const MAX_CACHED_HEADS = 10_000;
const MAX_ATTEMPTS = 100;
/** As PostgreSQL's uuid type prints it, so the hashed id is the stored id. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The one append algorithm every adapter shares: seal against the stream head (cached, so a
 * sequential writer pays one round trip), write with the exact revision, and on conflict either
 * answer a retried append idempotently or report WrongExpectedVersion / DuplicateEventId.
 * As in EventStoreDB, a retry is recognised by its event ids alone, not by its payload.
 */
export class ChainedAppender {
  private readonly heads = new Map<string, StreamHead>();

  constructor(private readonly storage: ChainStorage) {}

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    conditions: readonly StreamCondition[] = [],
  ): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    const malformed = events.find((event) => !CANONICAL_UUID.test(event.id));
    if (malformed)
      throw new UnstorableEvent(
        `event id ${JSON.stringify(malformed.id)} is not a lower-case UUID`,
      );
    if (new Set(events.map((event) => event.id)).size !== events.length) {
      throw new UnstorableEvent('one append holds the same event id twice');
    }
    // With a movable expectation nothing stops a store without an id index from taking a
    // retried append again at the new end of the stream, so look for it first.
    if (!this.storage.refusesStoredIds && (expected === 'any' || expected === 'stream_exists')) {
      const earlier = await this.findSameAppend(stream, events);
      if (earlier) return earlier;
    }
    for (let attempt = 1; ; attempt++) {
      // A new stream needs no read: if it exists after all, the write conflicts and is answered below.
      let head = this.heads.get(stream) ?? (expected === 'no_stream' ? EMPTY_HEAD : undefined);
      if (!head || !satisfies(expected, head)) head = await this.refreshHead(stream);
      if (!satisfies(expected, head)) {
        return this.answerRetryOrConflict(stream, events, expected, head);
      }
      const sealed = sealEvents(stream, head, events);
      try {
        const position = await this.storage.write(
          stream,
          sealed,
          // The stream's own revision is already the expected revision's to guard.
          conditions.filter((condition) => condition.stream !== stream),
        );
        const last = sealed[sealed.length - 1];
        this.remember(stream, { revision: last.revision, hash: last.hash });
        return { nextExpectedRevision: last.revision, position };
      } catch (error) {
        if (!(error instanceof RevisionTaken) && !(error instanceof EventIdTaken)) throw error;
        this.heads.delete(stream);
        const movable = expected === 'any' || expected === 'stream_exists';
        if (error instanceof RevisionTaken && movable && attempt < MAX_ATTEMPTS) continue;
        return this.answerRetryOrConflict(stream, events, expected, await this.refreshHead(stream));
      }
    }
  }

  private async answerRetryOrConflict(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    head: StreamHead,
  ): Promise<AppendResult> {
    const earlier = await this.findSameAppend(stream, events);
    if (earlier) return earlier;
    throw new WrongExpectedVersion(
      stream,
      describe(expected),
      head.revision < 0n ? 'no_stream' : head.revision.toString(),
    );
  }

  /**
   * The result of this very append if it was stored before (every id, in this stream, at
   * consecutive revisions in order); DuplicateEventId if only some ids, or others, are stored.
   */
  private async findSameAppend(
    stream: string,
    events: readonly NewEvent[],
  ): Promise<AppendResult | undefined> {
    const ids = events.map((event) => event.id);
    const stored = new Map(
      (await this.storage.findStored(stream, ids)).map((ref) => [ref.id, ref]),
    );
    if (stored.size === 0) return undefined;
    const first = stored.get(events[0].id);
    const sameAppend =
      first !== undefined &&
      stored.size === events.length &&
      events.every((event, index) => {
        const ref = stored.get(event.id);
        return ref?.stream === stream && ref.revision === first.revision + BigInt(index);
      });
    if (!sameAppend) throw new DuplicateEventId(stream, [...stored.keys()]);
    const last = stored.get(events[events.length - 1].id) as StoredEventRef;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  private async refreshHead(stream: string): Promise<StreamHead> {
    const head = await this.storage.readHead(stream);
    if (head.revision >= 0n) this.remember(stream, head);
    return head;
  }

  private remember(stream: string, head: StreamHead): void {
    this.heads.delete(stream);
    this.heads.set(stream, head);
    if (this.heads.size > MAX_CACHED_HEADS)
      this.heads.delete(this.heads.keys().next().value as string);
  }
}

function satisfies(expected: ExpectedRevision, head: StreamHead): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return head.revision === EMPTY_HEAD.revision;
  if (expected === 'stream_exists') return head.revision >= 0n;
  return head.revision === expected;
}

function describe(expected: ExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}
