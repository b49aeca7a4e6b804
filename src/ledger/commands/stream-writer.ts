import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { EVENT_LOG, EventLog, JsonObject, NewEvent, RecordedEvent } from '../event-log.port';
import { StreamNotFound, WrongExpectedVersion } from '../ledger.errors';
import { CommandContext, derivedUuid } from './command-context';
import { Decider, DomainEvent, replay } from './decider';

export interface LoadedStream<Event extends DomainEvent, State> {
  stream: string;
  state: State;
  /** The stream as stored, oldest first (hashes and positions included). */
  recorded: RecordedEvent[];
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

const MAX_ATTEMPTS = 5;

/**
 * The write side's one algorithm (DESIGN §2): read the stream, fold it, decide, append at the
 * revision that was read. When another writer got there first the command is decided again on
 * the new state, so a lost race ends in the rule's own answer rather than a bare 409.
 */
@Injectable()
export class StreamWriter {
  constructor(@Inject(EVENT_LOG) private readonly eventLog: EventLog) {}

  async load<Event extends DomainEvent, State>(
    decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<LoadedStream<Event, State>> {
    const recorded = await this.readWhole(stream);
    const events = recorded.map((event) => ({ type: event.type, data: event.data }) as Event);
    return { stream, state: replay(decider, events), recorded, events };
  }

  async execute<Command, Event extends DomainEvent, State>(
    stream: string,
    decider: Decider<Command, Event, State>,
    command: Command,
    context: CommandContext,
  ): Promise<WriteOutcome<Event, State>> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(decider, stream);
      const decided = decider.decide(command, loaded.state);
      const state = decided.reduce((next, event) => decider.evolve(next, event), loaded.state);
      if (decided.length === 0) {
        const last = loaded.recorded[loaded.recorded.length - 1];
        if (!last) throw new Error(`${stream}: an empty decision on an empty stream`);
        return { events: [], eventIds: [], ledgerPosition: last.position, state };
      }
      const revision =
        loaded.recorded.length === 0 ? undefined : BigInt(loaded.recorded.length - 1);
      const events = decided.map((event, index) => this.envelope(stream, event, index, context));
      try {
        const result = await this.eventLog.append(stream, events, {
          expectedRevision: revision ?? 'no_stream',
        });
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

  private envelope(
    stream: string,
    event: DomainEvent,
    index: number,
    context: CommandContext,
  ): NewEvent {
    return {
      // With an Idempotency-Key a retried request produces the same ids, so the log answers it once.
      id: context.idempotencyKey
        ? derivedUuid('event', context.actor.sub, context.idempotencyKey, stream, String(index))
        : uuidv7(),
      type: event.type,
      // Through JSON so optional fields left undefined are dropped, as the log would store them.
      data: JSON.parse(JSON.stringify(event.data)) as JsonObject,
      metadata: {
        schemaVersion: 1,
        occurredAt: context.now,
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: context.commandId,
        ...(context.source ? { source: context.source } : {}),
      },
    };
  }

  private async readWhole(stream: string): Promise<RecordedEvent[]> {
    try {
      return await this.eventLog.readStream(stream);
    } catch (error) {
      if (error instanceof StreamNotFound) return [];
      throw error;
    }
  }
}
