import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';
import { RISK_TIERS } from '../model-registry/model.events';
import type { MonitoringPolicy } from './monitoring-policy';

/** A level's changes (src/monitoring/monitoring-policy.ts, MonitoringOverrides). */
const monitoringOverridesSchema = z.object({
  psi: z
    .object({
      warn: z.number().optional(),
      alert: z.number().optional(),
      minCount: z.number().optional(),
    })
    .optional(),
  window: z
    .union([z.object({ batches: z.number() }), z.object({ hours: z.number() })])
    .nullable()
    .optional(),
  performance: z
    .object({
      maxAucDrop: z.number().optional(),
      maxAccuracyDrop: z.number().optional(),
      minOutcomes: z.number().optional(),
    })
    .optional(),
  onBreach: z
    .object({ rollback: z.boolean().optional(), retrain: z.boolean().optional() })
    .optional(),
  retrainEveryDays: z.number().nullable().optional(),
});

const monitoringPolicySchema = z.object({
  default: monitoringOverridesSchema,
  tiers: z.partialRecord(z.enum(RISK_TIERS), monitoringOverridesSchema),
  models: z.record(z.string(), monitoringOverridesSchema),
}) satisfies z.ZodType<MonitoringPolicy>;

/**
 * The monitoring policy set (README, "Monitoring by Attest"): drift thresholds and windows,
 * realised-performance bounds, what a breach does and the retraining cadence, as overrides of the
 * built-in rules by default, risk tier and model. `version` counts from 1.
 */
export const MonitoringPolicySetEvent = defineEvent({
  type: 'MonitoringPolicySet',
  schema: z.object({
    version: z.number(),
    policy: monitoringPolicySchema,
    setBy: z.string(),
    setAt: z.string(),
  }),
});
export type MonitoringPolicySet = EventOf<typeof MonitoringPolicySetEvent>;

export const MONITORING_POLICY_EVENT_TYPES = [
  'MonitoringPolicySet',
] as const satisfies readonly MonitoringPolicySet['type'][];
