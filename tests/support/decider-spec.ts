import type { Decider, DomainEvent } from '../../src/ledger/commands/decider';
import { replay } from '../../src/ledger/commands/decider';

/**
 * Given/when/then for a decider, with no I/O:
 * `given(decider, history).when(command).then([...events])` or `.thenRefuses('code')`.
 */
export function given<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
  history: readonly Event[] = [],
) {
  const state = replay(decider, history);
  return {
    state,
    when(command: Command) {
      const decide = () => decider.decide(command, state);
      return {
        then(expected: Event[]): Event[] {
          const events = decide();
          expect(events).toEqual(expected);
          return events;
        },
        /** The decision, for assertions `then` cannot express (digests, derived ids). */
        events(): Event[] {
          return decide();
        },
        thenRefuses(code: string, status?: number): void {
          let refusal: unknown;
          try {
            decide();
          } catch (error) {
            refusal = error;
          }
          expect(refusal).toMatchObject(status === undefined ? { code } : { code, status });
        },
      };
    },
  };
}
