import type { DomainEvent } from '../ledger/commands/decider';

/** The period a monitoring signal was measured over; `from` is before `to` (UTC instants). */
export type SignalWindow = { from: string; to: string };

/**
 * A feature's input distribution moved away from its baseline, measured by a monitor (PSI, KS…).
 * Recorded whether or not it passes the threshold; `breached` says whether it did (value above
 * threshold), and a breach raises an alert in the same command.
 */
export type DriftDetected = DomainEvent<
  'DriftDetected',
  {
    signalId: string;
    deploymentId: string;
    model: string;
    environment: string;
    version: string;
    feature: string;
    /** e.g. psi, ks, js-divergence */
    metric: string;
    value: number;
    threshold: number;
    breached: boolean;
    window: SignalWindow;
    /**
     * Drift Attest computed (README, "Monitoring by Attest"): each bin's baseline and observed
     * share, before the floor, in bin order.
     */
    bins?: { baseline: number; observed: number }[];
    detectedBy: string;
    detectedAt: string;
  }
>;

/**
 * A performance metric of a deployment measured against its threshold. `higherIsBetter` says
 * which side of the threshold is worse (auc: true, error rate: false); `breached` says the
 * value is on the worse side, which raises an alert in the same command.
 */
export type PerformanceDegraded = DomainEvent<
  'PerformanceDegraded',
  {
    signalId: string;
    deploymentId: string;
    model: string;
    environment: string;
    version: string;
    metric: string;
    value: number;
    threshold: number;
    higherIsBetter: boolean;
    breached: boolean;
    window: SignalWindow;
    detectedBy: string;
    detectedAt: string;
  }
>;

export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_KINDS = ['drift', 'performance', 'operational', 'fairness'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export type AlertRaised = DomainEvent<
  'AlertRaised',
  {
    alertId: string;
    deploymentId: string;
    model: string;
    environment: string;
    severity: AlertSeverity;
    kind: AlertKind;
    /** What is wrong, for the people on call; names no person. */
    summary: string;
    /** The DriftDetected or PerformanceDegraded event that raised it, if any. */
    causeEventId: string | null;
    raisedBy: string;
    raisedAt: string;
  }
>;

export type AlertResolved = DomainEvent<
  'AlertResolved',
  {
    alertId: string;
    deploymentId: string;
    resolution: string;
    resolvedBy: string;
    resolvedAt: string;
  }
>;

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
