import { type Decider, replay } from '../ledger/commands/decider';
import { canonicalJson } from '../ledger/canonical-json';
import { InvalidRequest } from '../ledger/ledger.errors';
import {
  DEFAULT_EVALUATION_POLICY,
  type EvaluationPolicy,
  evaluationPolicyErrors,
  normalisedPolicy,
} from './evaluation-policy';
import type { EvaluationPolicySet } from './evaluation-policy.events';

/** The id of the one evaluation policy (its write answers `{ id: 'evaluation' }`). */
export const EVALUATION_POLICY_ID = 'evaluation';

export type SetEvaluationPolicy = {
  type: 'SetEvaluationPolicy';
  data: { tiers: EvaluationPolicy };
  actor: string;
  now: string;
};

/** The `policy-evaluation` stream folded: the policy in force, its version and who set it. */
export type EvaluationPolicyState = {
  tiers: EvaluationPolicy;
  /** 0 while no EvaluationPolicySet has been recorded (the built-in default); then 1, 2, … */
  version: number;
  isDefault: boolean;
  setBy: string | null;
  setAt: string | null;
};

export const evaluationPolicyDecider: Decider<
  SetEvaluationPolicy,
  EvaluationPolicySet,
  EvaluationPolicyState
> = {
  initialState: () => ({
    tiers: DEFAULT_EVALUATION_POLICY,
    version: 0,
    isDefault: true,
    setBy: null,
    setAt: null,
  }),

  evolve(_state, event) {
    const { tiers, version, setBy, setAt } = event.data;
    return { tiers: normalisedPolicy(tiers), version, isDefault: false, setBy, setAt };
  },

  decide(command, state) {
    // Checked here as well as at the edge: a policy that fails it is never recorded.
    const errors = evaluationPolicyErrors(command.data.tiers);
    if (Object.keys(errors).length > 0) {
      throw new InvalidRequest(`invalid ${Object.keys(errors).join(', ')}`, errors);
    }
    const tiers = normalisedPolicy(command.data.tiers);
    // The same policy again is the same fact; the first explicit policy is recorded even if it equals the default.
    if (!state.isDefault && canonicalJson(tiers) === canonicalJson(state.tiers)) return [];
    return [
      {
        type: 'EvaluationPolicySet',
        data: { version: state.version + 1, tiers, setBy: command.actor, setAt: command.now },
      },
    ];
  },
};

/** The evaluation policy in force after these events. */
export function currentEvaluationPolicy(
  events: readonly EvaluationPolicySet[],
): EvaluationPolicyState {
  return replay(evaluationPolicyDecider, events);
}
