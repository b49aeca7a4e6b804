import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';
import { RISK_TIERS } from '../model-registry/model.events';
import type { TierEvaluationPolicy } from './evaluation-policy';

const optionalBound = z.number().optional();
/** An environment may replace a bound, or drop an optional one with null. */
const overriddenBound = z.number().nullable().optional();

/** A tier's rules as recorded (src/evaluation/evaluation-policy.ts, TierEvaluationPolicy). */
const tierEvaluationPolicySchema = z.object({
  minAuc: z.number(),
  maxAucDrop: optionalBound,
  maxCalibrationError: optionalBound,
  minDemographicParityRatio: optionalBound,
  maxDemographicParityDifference: optionalBound,
  minEqualizedOddsRatio: optionalBound,
  maxEqualizedOddsDifference: optionalBound,
  maxEqualOpportunityDifference: optionalBound,
  minGroupSize: z.number(),
  environments: z
    .record(
      z.string(),
      z.object({
        minAuc: optionalBound,
        minGroupSize: optionalBound,
        maxAucDrop: overriddenBound,
        maxCalibrationError: overriddenBound,
        minDemographicParityRatio: overriddenBound,
        maxDemographicParityDifference: overriddenBound,
        minEqualizedOddsRatio: overriddenBound,
        maxEqualizedOddsDifference: overriddenBound,
        maxEqualOpportunityDifference: overriddenBound,
      }),
    )
    .optional(),
}) satisfies z.ZodType<TierEvaluationPolicy>;

/**
 * The evaluation policy set: the rules an evaluation must meet, per risk tier, with optional
 * per-environment overrides (README, "The evaluation policy"). `version` counts from 1.
 */
export const EvaluationPolicySetEvent = defineEvent({
  type: 'EvaluationPolicySet',
  schema: z.object({
    version: z.number(),
    tiers: z.record(z.enum(RISK_TIERS), tierEvaluationPolicySchema),
    setBy: z.string(),
    setAt: z.string(),
  }),
});
export type EvaluationPolicySet = EventOf<typeof EvaluationPolicySetEvent>;
