import type { DomainEvent } from '../ledger/commands/decider';
import type { MonitoringPolicy } from './monitoring-policy';

/**
 * The monitoring policy set (README, "Monitoring by Attest"): drift thresholds and windows,
 * realised-performance bounds, what a breach does and the retraining cadence, as overrides of the
 * built-in rules by default, risk tier and model. `version` counts from 1.
 */
export type MonitoringPolicySet = DomainEvent<
  'MonitoringPolicySet',
  {
    version: number;
    policy: MonitoringPolicy;
    setBy: string;
    setAt: string;
  }
>;

export const MONITORING_POLICY_EVENT_TYPES = [
  'MonitoringPolicySet',
] as const satisfies readonly MonitoringPolicySet['type'][];
