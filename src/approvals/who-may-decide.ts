import type { StageRole } from './approval.events';

/** The people around the stage now pending of an approval request, as its stream or row records them. */
export type PendingStage = {
  /** The role the pending stage is decided by. */
  role: StageRole;
  registeredBy: string;
  trainedBy: string;
  requestedBy: string;
  /** Who granted an earlier stage of the same request. */
  grantedBy: readonly string[];
};

/** Why a person may not decide a pending stage; the approval decider refuses with the first. */
export type DecisionBar =
  | { rule: 'stage-role-required'; role: StageRole }
  /** Four eyes (docs/design.md §7): each reason a phrase such as "registered this version". */
  | { rule: 'four-eyes'; reasons: string[] }
  | { rule: 'one-stage-per-person' };

/**
 * Who may decide a pending stage (docs/design.md §7): a holder of the stage's role who did not
 * register the version, train it or request the approval, and granted no earlier stage of it.
 * Every rule that bars `actor`, in that order; none when they may decide. The approval decider
 * refuses a decision on the first, and the console's inbox shows them all.
 */
export function decisionBars(
  stage: PendingStage,
  actor: { sub: string; roles: readonly string[] },
): DecisionBar[] {
  const bars: DecisionBar[] = [];
  if (!actor.roles.includes(stage.role))
    bars.push({ rule: 'stage-role-required', role: stage.role });
  const conflicts: [string, string][] = [
    [stage.registeredBy, 'registered this version'],
    [stage.trainedBy, 'trained this version (training run author)'],
    [stage.requestedBy, 'requested this approval'],
  ];
  const reasons = conflicts.filter(([who]) => who === actor.sub).map(([, why]) => why);
  if (reasons.length > 0) bars.push({ rule: 'four-eyes', reasons });
  if (stage.grantedBy.includes(actor.sub)) bars.push({ rule: 'one-stage-per-person' });
  return bars;
}
