import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';

export const DEPLOYMENT_STRATEGIES = ['full', 'canary'] as const;
export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];

/**
 * A deployment is one model in one environment (`<model>.<environment>`); its stream holds every
 * rollout, promotion, rollback and retirement there, so "what was live" is one stream's history.
 */
export const ModelDeployedEvent = defineEvent({
  type: 'ModelDeployed',
  schema: z.object({
    deploymentId: z.string(),
    model: z.string(),
    version: z.string(),
    environment: z.string(),
    strategy: z.enum(DEPLOYMENT_STRATEGIES),
    /** Share of traffic for a canary (1–99); null for a full rollout. */
    canaryPercent: z.number().nullable(),
    /** The version serving all traffic before this rollout, if any. */
    previousVersion: z.string().nullable(),
    /** The granted approval it rests on; required in production. */
    approvalId: z.string().nullable(),
    deployedBy: z.string(),
    deployedAt: z.string(),
  }),
});
export type ModelDeployed = EventOf<typeof ModelDeployedEvent>;

/** A canary takes all traffic. */
export const DeploymentPromotedEvent = defineEvent({
  type: 'DeploymentPromoted',
  schema: z.object({
    deploymentId: z.string(),
    model: z.string(),
    version: z.string(),
    environment: z.string(),
    previousVersion: z.string().nullable(),
    promotedBy: z.string(),
    promotedAt: z.string(),
  }),
});
export type DeploymentPromoted = EventOf<typeof DeploymentPromotedEvent>;

export const DeploymentRolledBackEvent = defineEvent({
  type: 'DeploymentRolledBack',
  schema: z.object({
    deploymentId: z.string(),
    model: z.string(),
    environment: z.string(),
    fromVersion: z.string(),
    /** The version serving again; null when nothing was deployed before. */
    toVersion: z.string().nullable(),
    reason: z.string(),
    automatic: z.boolean(),
    /** The alert whose breach the service rolled back for (README, "Monitoring by Attest"). */
    causeAlertId: z.string().nullable().optional(),
    rolledBackBy: z.string(),
    rolledBackAt: z.string(),
  }),
});
export type DeploymentRolledBack = EventOf<typeof DeploymentRolledBackEvent>;

export const DeploymentRetiredEvent = defineEvent({
  type: 'DeploymentRetired',
  schema: z.object({
    deploymentId: z.string(),
    model: z.string(),
    environment: z.string(),
    version: z.string(),
    reason: z.string(),
    retiredBy: z.string(),
    retiredAt: z.string(),
  }),
});
export type DeploymentRetired = EventOf<typeof DeploymentRetiredEvent>;

/** Everything stored in a `deployment-<model>.<environment>` stream. */
export type DeploymentEvent =
  ModelDeployed | DeploymentPromoted | DeploymentRolledBack | DeploymentRetired;

export const DEPLOYMENT_EVENT_TYPES = [
  'ModelDeployed',
  'DeploymentPromoted',
  'DeploymentRolledBack',
  'DeploymentRetired',
] as const satisfies readonly DeploymentEvent['type'][];
