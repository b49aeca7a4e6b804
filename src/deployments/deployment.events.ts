import type { DomainEvent } from '../ledger/commands/decider';

export type DeploymentStrategy = 'full' | 'canary';

/**
 * A deployment is one model in one environment (`<model>.<environment>`); its stream holds every
 * rollout, promotion, rollback and retirement there, so "what was live" is one stream's history.
 */
export type ModelDeployed = DomainEvent<
  'ModelDeployed',
  {
    deploymentId: string;
    model: string;
    version: string;
    environment: string;
    strategy: DeploymentStrategy;
    /** Share of traffic for a canary (1–99); null for a full rollout. */
    canaryPercent: number | null;
    /** The version serving all traffic before this rollout, if any. */
    previousVersion: string | null;
    /** The granted approval it rests on; required in production. */
    approvalId: string | null;
    deployedBy: string;
    deployedAt: string;
  }
>;

/** A canary takes all traffic. */
export type DeploymentPromoted = DomainEvent<
  'DeploymentPromoted',
  {
    deploymentId: string;
    model: string;
    version: string;
    environment: string;
    previousVersion: string | null;
    promotedBy: string;
    promotedAt: string;
  }
>;

export type DeploymentRolledBack = DomainEvent<
  'DeploymentRolledBack',
  {
    deploymentId: string;
    model: string;
    environment: string;
    fromVersion: string;
    /** The version serving again; null when nothing was deployed before. */
    toVersion: string | null;
    reason: string;
    automatic: boolean;
    /** The alert whose breach the service rolled back for (README, "Monitoring by Attest"). */
    causeAlertId?: string | null;
    rolledBackBy: string;
    rolledBackAt: string;
  }
>;

export type DeploymentRetired = DomainEvent<
  'DeploymentRetired',
  {
    deploymentId: string;
    model: string;
    environment: string;
    version: string;
    reason: string;
    retiredBy: string;
    retiredAt: string;
  }
>;

/** Everything stored in a `deployment-<model>.<environment>` stream. */
export type DeploymentEvent =
  ModelDeployed | DeploymentPromoted | DeploymentRolledBack | DeploymentRetired;

export const DEPLOYMENT_EVENT_TYPES = [
  'ModelDeployed',
  'DeploymentPromoted',
  'DeploymentRolledBack',
  'DeploymentRetired',
] as const satisfies readonly DeploymentEvent['type'][];
