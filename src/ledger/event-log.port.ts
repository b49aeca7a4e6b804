/** The event log port (docs/design.md §4). Adapters: PostgreSQL/PGlite now, EventStoreDB later. */

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Actor {
  sub: string;
  roles: string[];
}

export interface EventIntegrity {
  prevHash: string;
  hash: string;
}

/** Metadata as the caller gives it; `integrity` is added by the log when the event is sealed. */
export interface EventMetadata {
  schemaVersion: number;
  occurredAt: string;
  actor: Actor;
  correlationId: string;
  causationId: string;
  source?: JsonObject;
  [key: string]: JsonValue | Actor | undefined;
}

export interface NewEvent {
  id: string;
  type: string;
  data: JsonObject;
  metadata: EventMetadata;
}

/** Opaque, comparable only within one adapter (EventLog.comparePositions). */
export type LedgerPosition = string;

export interface RecordedEvent {
  id: string;
  type: string;
  stream: string;
  revision: bigint;
  data: JsonObject;
  metadata: EventMetadata & { integrity: EventIntegrity };
  position: LedgerPosition;
  recordedAt: Date;
}

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/**
 * A stream another stream's rule was decided on, and the revision it was read at (`no_stream`:
 * it did not exist). An append carrying conditions is stored only if every such stream is still
 * there, atomically with the append (docs/consistency.md); otherwise it is refused with
 * StreamMoved and the command is decided again.
 */
export interface StreamCondition {
  stream: string;
  revision: bigint | 'no_stream';
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
  conditions?: readonly StreamCondition[];
}

export interface AppendResult {
  nextExpectedRevision: bigint;
  position: LedgerPosition;
}

export interface ReadStreamOptions {
  fromRevision?: bigint;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface EventPlace {
  stream: string;
  revision: bigint;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the start. */
  from?: LedgerPosition;
  maxCount?: number;
}

export interface SubscriptionFilter {
  eventTypes?: readonly string[];
  streamPrefixes?: readonly string[];
}

export interface SubscribeOptions {
  /** Exclusive start; omitted means from the very first event. */
  from?: LedgerPosition;
  filter?: SubscriptionFilter;
}

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  /** Everything up to `position` has been delivered (events the filter dropped included). */
  | { kind: 'checkpoint'; position: LedgerPosition }
  /** The subscription has delivered every event committed so far; live events follow. */
  | { kind: 'caughtUp'; position: LedgerPosition | undefined };

export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export interface EventLog {
  append(
    stream: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The events at these places (stream, revision), in the order given; a place holding none is left out. */
  readEvents(places: readonly EventPlace[]): Promise<RecordedEvent[]>;
  subscribe(options?: SubscribeOptions): Subscription;
  /** Negative when a is before b; positions from another adapter are refused. */
  comparePositions(a: LedgerPosition, b: LedgerPosition): number;
  isPosition(token: string): boolean;
  /** The newest event's position, or undefined while the ledger is empty (progress reports). */
  headPosition(): Promise<LedgerPosition | undefined>;
  /**
   * Roughly how far `position` (null: before the first event) is on the way to `head`, from 0 to
   * 1: for progress reports only, never for ordering.
   */
  fractionOf(position: LedgerPosition | null, head: LedgerPosition): number;
  /** Resolves when the store answers; rejects (LedgerUnavailable) when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_LOG = Symbol('EventLog');
