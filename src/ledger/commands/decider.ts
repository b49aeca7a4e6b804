/**
 * A capability's decision logic as three pure functions (docs/design.md §2): no I/O, no clock. Facts
 * from other streams and the time arrive inside the command.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** The events that carry out the command; [] when it is already done (an idempotent repeat). */
  decide(command: Command, state: State): Event[];
}

/** Folds a stream's history into its state. */
export function replay<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}

/** The `never` check at the end of a switch over a union: the compiler demands every case. */
export function unhandled(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
