import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import {
  EVENT_LOG,
  EventLog,
  JsonObject,
  NewEvent,
  RecordedEvent,
  StreamCondition,
} from '../event-log.port';
import { checkNewEvent, decodeRecorded } from '../events/event-registry';
import { StreamNotFound, WrongExpectedVersion } from '../ledger.errors';
import { CommandContext, derivedUuid } from './command-context';
import { Decider, DomainEvent, replay } from './decider';

export interface LoadedStream<Event extends DomainEvent, State> {
  stream: string;
  state: State;
  /** The stream as stored, oldest first (hashes and positions included). */
  recorded: RecordedEvent[];
  /** The stream's events as their current schema versions have them (README, "Event schemas"). */
  events: Event[];
}

export interface WriteOutcome<Event extends DomainEvent, State> {
  /** The events appended, as decided; empty when the command was already carried out. */
  events: Event[];
  eventIds: string[];
  /** Where the write landed, or for an empty decision the newest event already recording it. */
  ledgerPosition: string;
  state: State;
}

/**
 * Reads another stream for a command's rule. Each stream read becomes a condition of the append:
 * if it has moved by the time the events are stored, the command is decided again on what it
 * holds then (docs/consistency.md).
 */
export interface FactReader {
  state<Event extends DomainEvent, State>(
    decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<State>;
  load<Event extends DomainEvent, State>(
    decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<LoadedStream<Event, State>>;
}

/** A command, or how to build it from other streams' facts (read anew on every attempt). */
export type CommandSource<Command> = Command | ((facts: FactReader) => Promise<Command>);

/** Each round of a race has one winner, so n concurrent writers to a stream need at most n rounds. */
const MAX_ATTEMPTS = 32;
const MAX_CACHED_STATES = 10_000;

/** A stream's folded state at a revision: valid forever, since revisions are never rewritten. */
interface CachedState {
  decider: object;
  state: unknown;
  revision: bigint;
  lastPosition: string;
}

/**
 * The write side's one algorithm (docs/design.md §2): read the stream, fold it, decide, append at the
 * revision that was read. When another writer got there first the command is decided again on
 * the new state, so a lost race ends in the rule's own answer rather than a bare 409.
 */
@Injectable()
export class StreamWriter {
  private readonly states = new Map<string, CachedState>();

  constructor(@Inject(EVENT_LOG) private readonly eventLog: EventLog) {}

  async load<Event extends DomainEvent, State>(
    decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<LoadedStream<Event, State>> {
    const recorded = await this.readWhole(stream);
    const events = recorded.map((event) => domainEvent<Event>(event));
    return { stream, state: replay(decider, events), recorded, events };
  }

  /**
   * Another stream's current state, for a rule that spans streams: from the cache plus whatever
   * was appended since, so a hot stream (a deployment every batch cites) costs one small read.
   */
  async state<Event extends DomainEvent, State>(
    decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<State> {
    return (await this.current(decider, stream)).state;
  }

  /**
   * `fresh`: the stream is named by an id this command just created, so the first attempt
   * decides on the initial state without reading; if the stream exists after all (a retry) the
   * append is refused and the command is decided again on what is stored.
   *
   * A command built from a function reads other streams through the FactReader it is given; the
   * append then holds only while those streams are where they were read, and when one moved the
   * facts are read again and the command decided again.
   */
  async execute<Command, Event extends DomainEvent, State>(
    stream: string,
    decider: Decider<Command, Event, State>,
    source: CommandSource<Command>,
    context: CommandContext,
    options: { fresh?: boolean } = {},
  ): Promise<WriteOutcome<Event, State>> {
    for (let attempt = 1; ; attempt++) {
      const conditions = new Map<string, StreamCondition>();
      const command =
        typeof source === 'function'
          ? await (source as (facts: FactReader) => Promise<Command>)(this.factReader(conditions))
          : source;
      const current =
        options.fresh && attempt === 1
          ? { state: decider.initialState(), revision: undefined, lastPosition: undefined }
          : await this.current(decider, stream);
      const decided = decider.decide(command, current.state);
      const state = decided.reduce((next, event) => decider.evolve(next, event), current.state);
      if (decided.length === 0) {
        if (!current.lastPosition)
          throw new Error(`${stream}: an empty decision on an empty stream`);
        return { events: [], eventIds: [], ledgerPosition: current.lastPosition, state };
      }
      const events = decided.map((event, index) => this.envelope(stream, event, index, context));
      try {
        const result = await this.eventLog.append(stream, events, {
          expectedRevision: current.revision ?? 'no_stream',
          conditions: [...conditions.values()],
        });
        const expectedNext = (current.revision ?? -1n) + BigInt(events.length);
        if (result.nextExpectedRevision === expectedNext) {
          this.remember(stream, {
            decider,
            state,
            revision: result.nextExpectedRevision,
            lastPosition: result.position,
          });
        } else {
          // The log answered an earlier identical append: fold from the log next time.
          this.states.delete(stream);
        }
        return {
          events: decided,
          eventIds: events.map((e) => e.id),
          ledgerPosition: result.position,
          state,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Remembers where each stream was first read, as a condition of this attempt's append. */
  private factReader(conditions: Map<string, StreamCondition>): FactReader {
    const note = (stream: string, revision: bigint | undefined) => {
      if (!conditions.has(stream)) {
        conditions.set(stream, { stream, revision: revision ?? 'no_stream' });
      }
    };
    return {
      state: async (decider, stream) => {
        const current = await this.current(decider, stream);
        note(stream, current.revision);
        return current.state;
      },
      load: async (decider, stream) => {
        const loaded = await this.load(decider, stream);
        note(stream, loaded.recorded.at(-1)?.revision);
        return loaded;
      },
    };
  }

  /** The stream's state: from the cache plus whatever was appended since, or folded from the start. */
  private async current<Event extends DomainEvent, State>(
    decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<{ state: State; revision?: bigint; lastPosition?: string }> {
    const cached = this.states.get(stream);
    const known = cached?.decider === decider ? cached : undefined;
    // From the known revision itself, so an unchanged stream answers with one row and no
    // second query to tell "nothing new" from "no such stream".
    const read = await this.readWhole(stream, known ? known.revision : undefined);
    const newer = known ? read.filter((event) => event.revision > known.revision) : read;
    if (known && newer.length === 0) return known as CachedState & { state: State };
    const last = newer[newer.length - 1];
    if (!last) return { state: decider.initialState() };
    const state = newer.reduce(
      (next, event) => decider.evolve(next, domainEvent<Event>(event)),
      known ? (known.state as State) : decider.initialState(),
    );
    const entry = { decider, state, revision: last.revision, lastPosition: last.position };
    this.remember(stream, entry);
    return entry;
  }

  private remember(stream: string, entry: CachedState): void {
    this.states.delete(stream);
    this.states.set(stream, entry);
    if (this.states.size > MAX_CACHED_STATES) {
      this.states.delete(this.states.keys().next().value as string);
    }
  }

  private envelope(
    stream: string,
    event: DomainEvent,
    index: number,
    context: CommandContext,
  ): NewEvent {
    // Through JSON so optional fields left undefined are dropped, as the log would store them.
    const data = JSON.parse(JSON.stringify(event.data)) as JsonObject;
    return {
      // With an Idempotency-Key a retried request produces the same ids, so the log answers it once.
      id: context.idempotencyKey
        ? derivedUuid('event', context.actor.sub, context.idempotencyKey, stream, String(index))
        : uuidv7(),
      type: event.type,
      data,
      metadata: {
        // Checked against its type's schema before it can reach the store (README, "Event schemas").
        schemaVersion: checkNewEvent(event.type, data),
        occurredAt: context.now,
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: context.commandId,
        ...(context.source ? { source: context.source } : {}),
      },
    };
  }

  private async readWhole(stream: string, fromRevision?: bigint): Promise<RecordedEvent[]> {
    try {
      return await this.eventLog.readStream(
        stream,
        fromRevision === undefined ? {} : { fromRevision },
      );
    } catch (error) {
      if (error instanceof StreamNotFound) return [];
      throw error;
    }
  }
}

/**
 * A stored event as a decider folds it: upcast to its type's current schema version and checked
 * (README, "Event schemas"), so evolve() only ever sees the shape its event type declares.
 */
function domainEvent<Event extends DomainEvent>(recorded: RecordedEvent): Event {
  const { type, data } = decodeRecorded(recorded);
  return { type, data } as Event;
}
