import type { Decider } from '../ledger/commands/decider';
import { NotRecorded, RuleViolated } from '../ledger/commands/rule-errors';
import type { RetrainingEvent, RetrainingTriggered } from './retraining.events';

export type TriggerRetraining = {
  type: 'TriggerRetraining';
  data: Omit<RetrainingTriggered['data'], 'triggeredBy' | 'triggeredAt'>;
  /** Whether the model has a registered version (read by the handler from its stream). */
  modelRegistered: boolean;
  actor: string;
  now: string;
};

export type RetrainingCommand = TriggerRetraining;

/** One model's retraining triggers: the `retraining-<model>` stream folded. */
export type RetrainingState = {
  /** Every trigger id recorded: a trigger seen again is a repeat. */
  triggerIds: ReadonlySet<string>;
  last: { triggerId: string; reason: RetrainingTriggered['data']['reason']; at: string } | null;
};

export const retrainingDecider: Decider<RetrainingCommand, RetrainingEvent, RetrainingState> = {
  initialState: () => ({ triggerIds: new Set(), last: null }),

  evolve(state, event) {
    const { triggerId, reason, triggeredAt } = event.data;
    return {
      triggerIds: new Set([...state.triggerIds, triggerId]),
      last: { triggerId, reason, at: triggeredAt },
    };
  },

  decide(command, state) {
    return trigger(command, state);
  },
};

/**
 * The trigger id is derived from its cause (the signals, or the model and the due date of a
 * cadence), so every replica that sees the same breach records it once.
 */
function trigger(command: TriggerRetraining, state: RetrainingState): RetrainingEvent[] {
  const { data } = command;
  if (state.triggerIds.has(data.triggerId)) return [];
  if (!command.modelRegistered) throw new NotRecorded('model', data.model);
  if ((data.reason === 'drift' || data.reason === 'performance') && data.signals.length === 0) {
    throw new RuleViolated(
      'signals-required',
      `a ${data.reason} trigger cites the signals behind it`,
      { errors: { signals: [`a ${data.reason} trigger needs at least one signal`] } },
    );
  }
  return [
    {
      type: 'RetrainingTriggered',
      data: { ...data, triggeredBy: command.actor, triggeredAt: command.now },
    },
  ];
}
