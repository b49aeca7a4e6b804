import type { DomainEvent } from '../ledger/commands/decider';
import type { RiskTier } from '../model-registry/model.events';
import type { TierEvaluationPolicy } from './evaluation-policy';

/**
 * The evaluation policy set: the rules an evaluation must meet, per risk tier, with optional
 * per-environment overrides (README, "The evaluation policy"). `version` counts from 1.
 */
export type EvaluationPolicySet = DomainEvent<
  'EvaluationPolicySet',
  {
    version: number;
    tiers: Record<RiskTier, TierEvaluationPolicy>;
    setBy: string;
    setAt: string;
  }
>;
