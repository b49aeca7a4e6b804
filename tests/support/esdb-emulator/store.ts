import { randomUUID } from 'node:crypto';

/**
 * The in-memory transaction log behind the emulator. Semantics follow EventStoreDB's
 * IndexWriter.CheckCommit / IndexReader (optimistic concurrency, idempotent appends, soft delete
 * with recreation, tombstones), without any of the system streams or records the real server keeps.
 */

/** Expected-revision values use EventStoreDB's signed "expected version" encoding. */
export const ANY = -2;
export const NO_STREAM = -1;
export const STREAM_EXISTS = -4;
/** A revision (>= 0), or one of ANY, NO_STREAM, STREAM_EXISTS. */
export type ExpectedVersion = number;

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface StoredEvent extends ProposedEvent {
  readonly streamName: string;
  readonly revision: number;
  /** .NET ticks (100 ns) since the Unix epoch, which is what the server sends as `created`. */
  readonly created: bigint;
  /** Log offset of the record; the commit and prepare positions are both this value. */
  readonly position: number;
}

export type WriteResult =
  | { readonly kind: 'success'; readonly currentRevision: number; readonly position?: number }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: number }
  | { readonly kind: 'stream_deleted' };

export type StreamReadResult =
  | { readonly kind: 'events'; readonly events: StoredEvent[] }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'deleted' };

export type ReadFrom = 'start' | 'end' | number;
export type Direction = 'forwards' | 'backwards';

interface StreamState {
  /** Indexed by revision; soft-deleted events stay here (they are only hidden). */
  readonly events: StoredEvent[];
  readonly revisionById: Map<string, number>;
  /** Events below this revision are hidden (EventStoreDB's `$tb` after a soft delete). */
  truncateBefore: number;
  softDeleted: boolean;
  tombstoned: boolean;
}

type CommitDecision =
  | { readonly kind: 'ok' }
  | { readonly kind: 'idempotent'; readonly lastRevision: number }
  | { readonly kind: 'wrong_expected_version' }
  | { readonly kind: 'deleted' };

/** Where the first record goes; the real log starts with epoch and other system records. */
const FIRST_POSITION = 1024;
/** Fixed part of a prepare record's on-disk size (header, ids, timestamps, length prefixes). */
const RECORD_OVERHEAD = 86;
const SOFT_DELETE_METADATA = new TextEncoder().encode('{"$tb":9223372036854775807}');
const TICKS_PER_MILLISECOND = 10_000n;

export class EventStore {
  private readonly streams = new Map<string, StreamState>();
  /** Every stored event in log order. */
  private readonly log: StoredEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private nextPosition = FIRST_POSITION;
  private lastRecordPosition = -1;

  /** Position of the newest record in the log (including invisible delete records), or -1. */
  get lastPosition(): number {
    return this.lastRecordPosition;
  }

  /** Calls `listener` after every change to the log; returns the function that unregisters it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(
    streamName: string,
    expected: ExpectedVersion,
    proposed: readonly ProposedEvent[],
  ): WriteResult {
    const stream = this.streams.get(streamName);
    const decision = checkCommit(
      stream,
      expected,
      proposed.map((event) => event.id),
    );
    const currentRevision = stream ? stream.events.length - 1 : -1;
    switch (decision.kind) {
      case 'deleted':
        return { kind: 'stream_deleted' };
      case 'wrong_expected_version':
        return { kind: 'wrong_expected_version', currentRevision };
      case 'idempotent': {
        const last = (stream as StreamState).events[decision.lastRevision];
        return { kind: 'success', currentRevision: last.revision, position: last.position };
      }
    }
    if (proposed.length === 0) return { kind: 'success', currentRevision };

    const state = stream ?? this.createStream(streamName);
    const created = BigInt(Date.now()) * TICKS_PER_MILLISECOND;
    let last: StoredEvent | undefined;
    for (const event of proposed) {
      last = {
        ...event,
        streamName,
        revision: state.events.length,
        created,
        position: this.allocate(recordSize(streamName, event.type, event.data, event.metadata)),
      };
      state.events.push(last);
      state.revisionById.set(last.id, last.revision);
      this.log.push(last);
    }
    if (state.softDeleted) {
      // Appending to a soft-deleted stream recreates it: the server rewrites its metadata with
      // `$tb` = the first new revision, so only the new events are readable.
      state.softDeleted = false;
      state.truncateBefore = currentRevision + 1;
      this.allocate(recordSize(`$$${streamName}`, '$metadata', SOFT_DELETE_METADATA));
    }
    this.notify();
    const { revision, position } = last as StoredEvent;
    return { kind: 'success', currentRevision: revision, position };
  }

  /** Soft delete (`hard` false) or tombstone (`hard` true). */
  delete(streamName: string, expected: ExpectedVersion, hard: boolean): WriteResult {
    const stream = this.streams.get(streamName);
    // A fresh event id, as the server does, so the idempotency checks never match.
    const decision = checkCommit(stream, expected, [randomUUID()]);
    const currentRevision = stream ? stream.events.length - 1 : -1;
    if (decision.kind === 'deleted') return { kind: 'stream_deleted' };
    if (decision.kind !== 'ok') return { kind: 'wrong_expected_version', currentRevision };

    const state = stream ?? this.createStream(streamName);
    let position: number;
    if (hard) {
      state.tombstoned = true;
      position = this.allocate(recordSize(streamName, '$streamDeleted', new Uint8Array()));
    } else {
      // Soft-deleting a stream that never had events fails, even with "any".
      if (currentRevision < 0) return { kind: 'wrong_expected_version', currentRevision };
      state.softDeleted = true;
      position = this.allocate(recordSize(`$$${streamName}`, '$metadata', SOFT_DELETE_METADATA));
    }
    this.notify();
    return { kind: 'success', currentRevision, position };
  }

  readStream(
    streamName: string,
    from: ReadFrom,
    direction: Direction,
    maxCount: number,
  ): StreamReadResult {
    const stream = this.streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'deleted' };
    if (!stream || stream.softDeleted || stream.events.length === 0) return { kind: 'not_found' };

    const first = stream.truncateBefore;
    const last = stream.events.length - 1;
    if (direction === 'forwards') {
      if (from === 'end') return { kind: 'events', events: [] };
      const start = Math.max(from === 'start' ? 0 : from, first);
      return { kind: 'events', events: stream.events.slice(start, start + maxCount) };
    }
    const start = from === 'end' ? last : Math.min(from === 'start' ? 0 : from, last);
    const end = Math.max(first, start - maxCount + 1);
    return { kind: 'events', events: stream.events.slice(end, start + 1).reverse() };
  }

  /** Forwards reads include the event at `from`; backwards reads return events before it. */
  readAll(from: ReadFrom, direction: Direction, maxCount: number): StoredEvent[] {
    if (direction === 'forwards') {
      if (from === 'end') return [];
      const start = from === 'start' ? 0 : this.indexAtOrAfter(from);
      return this.log.slice(start, start + maxCount);
    }
    if (from === 'start') return [];
    const end = from === 'end' ? this.log.length : this.indexAtOrAfter(from);
    return this.log.slice(Math.max(0, end - maxCount), end).reverse();
  }

  /** Up to `maxCount` events of the log whose position is greater than `after`. */
  readAllAfter(after: number, maxCount: number): StoredEvent[] {
    const start = this.indexAtOrAfter(after + 1);
    return this.log.slice(start, start + maxCount);
  }

  /**
   * Up to `maxCount` readable events of a stream with a revision greater than `after`, for
   * stream subscriptions; `deleted` once the stream is tombstoned.
   */
  readStreamAfter(streamName: string, after: number, maxCount: number): StreamReadResult {
    const stream = this.streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'deleted' };
    if (!stream || stream.softDeleted) return { kind: 'events', events: [] };
    const start = Math.max(after + 1, stream.truncateBefore);
    return { kind: 'events', events: stream.events.slice(start, start + maxCount) };
  }

  /** Replaces the data of the first event stored with this id, behind the clients' backs. */
  tamper(eventId: string, data: Uint8Array): void {
    const index = this.log.findIndex((event) => event.id === eventId);
    if (index < 0) throw new Error(`The emulator holds no event with id ${eventId}`);
    const tampered = { ...this.log[index], data };
    this.log[index] = tampered;
    (this.streams.get(tampered.streamName) as StreamState).events[tampered.revision] = tampered;
  }

  /** Revision of the newest event of a stream, or -1. */
  lastRevision(streamName: string): number {
    const stream = this.streams.get(streamName);
    return stream ? stream.events.length - 1 : -1;
  }

  private createStream(streamName: string): StreamState {
    const state: StreamState = {
      events: [],
      revisionById: new Map(),
      truncateBefore: 0,
      softDeleted: false,
      tombstoned: false,
    };
    this.streams.set(streamName, state);
    return state;
  }

  private allocate(size: number): number {
    const position = this.nextPosition;
    this.nextPosition += size;
    this.lastRecordPosition = position;
    return position;
  }

  private indexAtOrAfter(position: number): number {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.log[middle].position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A port of EventStoreDB's IndexWriter.CheckCommit. */
function checkCommit(
  stream: StreamState | undefined,
  expected: ExpectedVersion,
  eventIds: readonly string[],
): CommitDecision {
  if (stream?.tombstoned) return { kind: 'deleted' };
  const current = stream ? stream.events.length - 1 : -1;
  const softDeleted = stream?.softDeleted ?? false;

  if (expected === STREAM_EXISTS) {
    if (softDeleted) return { kind: 'deleted' };
    if (current < 0) return { kind: 'wrong_expected_version' };
  }

  if (expected === ANY || expected === STREAM_EXISTS) {
    // Idempotent if the ids were already written, in order, to this stream.
    let lastRevision = -1;
    for (const [index, id] of eventIds.entries()) {
      const revision = stream?.revisionById.get(id);
      if (revision === undefined) {
        return index === 0 ? { kind: 'ok' } : { kind: 'wrong_expected_version' };
      }
      lastRevision = revision;
    }
    return lastRevision < 0 ? { kind: 'ok' } : { kind: 'idempotent', lastRevision };
  }

  if (expected < current) {
    // Idempotent if the events after the expected revision carry exactly these ids.
    let revision = expected;
    for (const id of eventIds) {
      revision += 1;
      if (stream?.events[revision]?.id === id) continue;
      if (revision !== expected + 1) return { kind: 'wrong_expected_version' };
      if (expected === NO_STREAM && softDeleted) return { kind: 'ok' };
      return { kind: 'wrong_expected_version' };
    }
    if (revision === expected) return { kind: 'wrong_expected_version' };
    return { kind: 'idempotent', lastRevision: revision };
  }

  if (expected > current) return { kind: 'wrong_expected_version' };
  return { kind: 'ok' };
}

function recordSize(
  streamName: string,
  type: string,
  data: Uint8Array,
  metadata: Uint8Array = new Uint8Array(),
): number {
  return (
    RECORD_OVERHEAD +
    Buffer.byteLength(streamName) +
    Buffer.byteLength(type) +
    data.byteLength +
    metadata.byteLength
  );
}
