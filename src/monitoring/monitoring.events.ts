import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';

/** The period a monitoring signal was measured over; `from` is before `to` (UTC instants). */
export const signalWindowSchema = z.object({ from: z.string(), to: z.string() });
export type SignalWindow = z.infer<typeof signalWindowSchema>;

/**
 * A feature's input distribution moved away from its baseline, measured by a monitor (PSI, KS…).
 * Recorded whether or not it passes the threshold; `breached` says whether it did (value above
 * threshold), and a breach raises an alert in the same command.
 */
export const DriftDetectedEvent = defineEvent({
  type: 'DriftDetected',
  schema: z.object({
    signalId: z.string(),
    deploymentId: z.string(),
    model: z.string(),
    environment: z.string(),
    version: z.string(),
    feature: z.string(),
    /** e.g. psi, ks, js-divergence */
    metric: z.string(),
    value: z.number(),
    threshold: z.number(),
    breached: z.boolean(),
    window: signalWindowSchema,
    /**
     * Drift Attest computed (README, "Monitoring by Attest"): each bin's baseline and observed
     * share, before the floor, in bin order.
     */
    bins: z.array(z.object({ baseline: z.number(), observed: z.number() })).optional(),
    detectedBy: z.string(),
    detectedAt: z.string(),
  }),
});
export type DriftDetected = EventOf<typeof DriftDetectedEvent>;

/**
 * A performance metric of a deployment measured against its threshold. `higherIsBetter` says
 * which side of the threshold is worse (auc: true, error rate: false); `breached` says the
 * value is on the worse side, which raises an alert in the same command.
 */
export const PerformanceDegradedEvent = defineEvent({
  type: 'PerformanceDegraded',
  schema: z.object({
    signalId: z.string(),
    deploymentId: z.string(),
    model: z.string(),
    environment: z.string(),
    version: z.string(),
    metric: z.string(),
    value: z.number(),
    threshold: z.number(),
    higherIsBetter: z.boolean(),
    breached: z.boolean(),
    window: signalWindowSchema,
    detectedBy: z.string(),
    detectedAt: z.string(),
  }),
});
export type PerformanceDegraded = EventOf<typeof PerformanceDegradedEvent>;

export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_KINDS = ['drift', 'performance', 'operational', 'fairness'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const AlertRaisedEvent = defineEvent({
  type: 'AlertRaised',
  schema: z.object({
    alertId: z.string(),
    deploymentId: z.string(),
    model: z.string(),
    environment: z.string(),
    severity: z.enum(ALERT_SEVERITIES),
    kind: z.enum(ALERT_KINDS),
    /** What is wrong, for the people on call; names no person. */
    summary: z.string(),
    /** The DriftDetected or PerformanceDegraded event that raised it, if any. */
    causeEventId: z.string().nullable(),
    raisedBy: z.string(),
    raisedAt: z.string(),
  }),
});
export type AlertRaised = EventOf<typeof AlertRaisedEvent>;

export const AlertResolvedEvent = defineEvent({
  type: 'AlertResolved',
  schema: z.object({
    alertId: z.string(),
    deploymentId: z.string(),
    resolution: z.string(),
    resolvedBy: z.string(),
    resolvedAt: z.string(),
  }),
});
export type AlertResolved = EventOf<typeof AlertResolvedEvent>;

/** Everything stored in a `monitoring-<deploymentId>` stream. */
export type MonitoringSignalEvent = DriftDetected | PerformanceDegraded;

/** Everything stored in an `alert-<alertId>` stream. */
export type AlertEvent = AlertRaised | AlertResolved;

export const MONITORING_SIGNAL_EVENT_TYPES = [
  'DriftDetected',
  'PerformanceDegraded',
] as const satisfies readonly MonitoringSignalEvent['type'][];

export const ALERT_EVENT_TYPES = [
  'AlertRaised',
  'AlertResolved',
] as const satisfies readonly AlertEvent['type'][];
