import { canonicalJson } from '../ledger/canonical-json';
import { type Decider, replay } from '../ledger/commands/decider';
import { InvalidRequest } from '../ledger/ledger.errors';
import {
  EMPTY_MONITORING_POLICY,
  type MonitoringPolicy,
  monitoringPolicyErrors,
  normalisedMonitoringPolicy,
} from './monitoring-policy';
import type { MonitoringPolicySet } from './monitoring-policy.events';

/** The id of the one monitoring policy (its write answers `{ id: 'monitoring' }`). */
export const MONITORING_POLICY_ID = 'monitoring';

export type SetMonitoringPolicy = {
  type: 'SetMonitoringPolicy';
  data: { policy: MonitoringPolicy };
  actor: string;
  now: string;
};

/** The `policy-monitoring` stream folded: the policy in force, its version and who set it. */
export type MonitoringPolicyState = {
  policy: MonitoringPolicy;
  /** 0 while no MonitoringPolicySet has been recorded (the built-in rules); then 1, 2, … */
  version: number;
  isDefault: boolean;
  setBy: string | null;
  setAt: string | null;
};

export const monitoringPolicyDecider: Decider<
  SetMonitoringPolicy,
  MonitoringPolicySet,
  MonitoringPolicyState
> = {
  initialState: () => ({
    policy: EMPTY_MONITORING_POLICY,
    version: 0,
    isDefault: true,
    setBy: null,
    setAt: null,
  }),

  evolve(_state, event) {
    const { policy, version, setBy, setAt } = event.data;
    return { policy: normalisedMonitoringPolicy(policy), version, isDefault: false, setBy, setAt };
  },

  decide(command, state) {
    // Checked here as well as at the edge: a policy that fails it is never recorded.
    const errors = monitoringPolicyErrors(command.data.policy);
    if (Object.keys(errors).length > 0) {
      throw new InvalidRequest(`invalid ${Object.keys(errors).join(', ')}`, errors);
    }
    const policy = normalisedMonitoringPolicy(command.data.policy);
    // The same policy again is the same fact; the first explicit one is recorded even if empty.
    if (!state.isDefault && canonicalJson(policy) === canonicalJson(state.policy)) return [];
    return [
      {
        type: 'MonitoringPolicySet',
        data: { version: state.version + 1, policy, setBy: command.actor, setAt: command.now },
      },
    ];
  },
};

/** The monitoring policy in force after these events. */
export function currentMonitoringPolicy(
  events: readonly MonitoringPolicySet[],
): MonitoringPolicyState {
  return replay(monitoringPolicyDecider, events);
}
