import { type Decider, unhandled } from '../ledger/commands/decider';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import type { AlertEvent, AlertRaised } from './monitoring.events';

/** The cause the command cites, as the handler found it in the deployment's monitoring stream. */
export type CauseFact = { eventId: string; recorded: boolean };

export type RaiseAlert = {
  type: 'RaiseAlert';
  data: Omit<AlertRaised['data'], 'raisedBy' | 'raisedAt'>;
  /** Whether the deployment's stream exists (read by the handler). */
  deploymentRecorded: boolean;
  /** Null when no cause is cited. */
  cause: CauseFact | null;
  actor: string;
  now: string;
};

export type ResolveAlert = {
  type: 'ResolveAlert';
  data: { alertId: string; resolution: string };
  actor: string;
  now: string;
};

export type AlertCommand = RaiseAlert | ResolveAlert;

type Raised = { alertId: string; deploymentId: string };

/** One alert: the `alert-<alertId>` stream folded. */
export type AlertState =
  | { status: 'none' }
  | (Raised & { status: 'open' })
  | (Raised & { status: 'resolved'; resolution: string });

export const alertDecider: Decider<AlertCommand, AlertEvent, AlertState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'AlertRaised':
        return {
          status: 'open',
          alertId: event.data.alertId,
          deploymentId: event.data.deploymentId,
        };
      case 'AlertResolved':
        return state.status === 'none'
          ? state
          : { ...raisedOf(state), status: 'resolved', resolution: event.data.resolution };
      default:
        return unhandled(event);
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RaiseAlert':
        return raise(command, state);
      case 'ResolveAlert':
        return resolve(command, state);
      default:
        return unhandled(command);
    }
  },
};

function raise(command: RaiseAlert, state: AlertState): AlertEvent[] {
  // The alert id comes from the Idempotency-Key or the signal that raised it: raised means a retry.
  if (state.status !== 'none') return [];
  const { data, cause } = command;
  if (!command.deploymentRecorded) throw new NotRecorded('deployment', data.deploymentId);
  if (data.causeEventId !== null && !(cause?.eventId === data.causeEventId && cause.recorded)) {
    throw new RuleViolated(
      'unknown-cause',
      `event ${data.causeEventId} is not a drift or performance signal of ${data.deploymentId}`,
      { errors: { causeEventId: ['not a signal recorded for this deployment'] } },
    );
  }
  return [
    { type: 'AlertRaised', data: { ...data, raisedBy: command.actor, raisedAt: command.now } },
  ];
}

/** An alert is resolved once; the same resolution sent again is a retry. */
function resolve(command: ResolveAlert, state: AlertState): AlertEvent[] {
  const { alertId, resolution } = command.data;
  if (state.status === 'none') throw new NotRecorded('alert', alertId);
  if (state.status === 'resolved') {
    if (state.resolution === resolution) return [];
    throw new StateConflict('alert-already-resolved', `alert ${alertId} is already resolved`, {
      resolution: state.resolution,
    });
  }
  return [
    {
      type: 'AlertResolved',
      data: {
        alertId,
        deploymentId: state.deploymentId,
        resolution,
        resolvedBy: command.actor,
        resolvedAt: command.now,
      },
    },
  ];
}

function raisedOf(state: Exclude<AlertState, { status: 'none' }>): Raised {
  return { alertId: state.alertId, deploymentId: state.deploymentId };
}
