import type { Decider, DomainEvent } from '../../src/ledger/commands/decider';

/**
 * One stream's events as its capability's decider decides them, command after command: realistic
 * payloads for projection specs (each event carries its stream, as `projectionSpec` takes it).
 */
export class DecidedStream<Command, Event extends DomainEvent, State> {
  private state: State;

  constructor(
    private readonly decider: Decider<Command, Event, State>,
    readonly stream: string,
  ) {
    this.state = decider.initialState();
  }

  /** The events the command decides (none: an idempotent repeat), folded into the stream. */
  when(command: Command): (Event & { stream: string })[] {
    const events = this.decider.decide(command, this.state);
    for (const event of events) this.state = this.decider.evolve(this.state, event);
    return events.map((event) => ({ ...event, stream: this.stream }));
  }

  /** The one event the command decides, of this type. */
  one<T extends Event['type']>(
    type: T,
    command: Command,
  ): Extract<Event, { type: T }> & { stream: string } {
    const events = this.when(command);
    if (events.length !== 1 || events[0].type !== type) {
      const types = events.map((event) => event.type).join(', ') || 'none';
      throw new Error(`expected one ${type}, the decider gave ${types}`);
    }
    return events[0] as Extract<Event, { type: T }> & { stream: string };
  }
}
