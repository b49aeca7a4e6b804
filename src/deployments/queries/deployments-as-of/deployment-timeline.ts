import { unhandled } from '../../../ledger/commands/decider';
import type { DeploymentEvent, DeploymentStrategy } from '../../deployment.events';

export type DeploymentStatus = 'active' | 'inactive' | 'retired';

/**
 * One deployment as a single event left it: the same facts as its `deployments` row, plus the
 * approval each version's latest rollout here cited, so a rollback knows what the returning version
 * rests on.
 */
export type DeploymentMoment = {
  model: string;
  environment: string;
  version: string | null;
  canaryVersion: string | null;
  canaryPercent: number | null;
  strategy: DeploymentStrategy;
  status: DeploymentStatus;
  /** As on the `deployments` row: the approval cited when the newest version serving was deployed. */
  approvalId: string | null;
  citedApprovals: Record<string, string | null>;
  deployedBy: string;
};

/**
 * The moment after `event`, given the one before it (null before the first rollout). Mirrors the
 * `deployments` projection, so the newest moment always equals the current row. Null: the event
 * changes nothing recordable (a change to a deployment that was never rolled out).
 */
export function nextMoment(
  previous: DeploymentMoment | null,
  event: DeploymentEvent,
): DeploymentMoment | null {
  switch (event.type) {
    case 'ModelDeployed': {
      const d = event.data;
      const canary = d.strategy === 'canary';
      return {
        model: d.model,
        environment: d.environment,
        version: canary ? d.previousVersion : d.version,
        canaryVersion: canary ? d.version : null,
        canaryPercent: canary ? d.canaryPercent : null,
        strategy: d.strategy,
        status: 'active',
        approvalId: d.approvalId,
        citedApprovals: { ...previous?.citedApprovals, [d.version]: d.approvalId },
        deployedBy: d.deployedBy,
      };
    }
    case 'DeploymentPromoted':
      if (!previous) return null;
      return {
        ...previous,
        version: event.data.version,
        canaryVersion: null,
        canaryPercent: null,
        strategy: 'full',
        deployedBy: event.data.promotedBy,
      };
    case 'DeploymentRolledBack': {
      if (!previous) return null;
      const { toVersion } = event.data;
      return {
        ...previous,
        version: toVersion,
        canaryVersion: null,
        canaryPercent: null,
        strategy: 'full',
        status: toVersion === null ? 'inactive' : 'active',
        approvalId: toVersion === null ? null : citedApproval(previous, toVersion),
        deployedBy: event.data.rolledBackBy,
      };
    }
    case 'DeploymentRetired':
      if (!previous) return null;
      return {
        ...previous,
        version: null,
        canaryVersion: null,
        canaryPercent: null,
        strategy: 'full',
        status: 'retired',
        approvalId: null,
        deployedBy: event.data.retiredBy,
      };
    default:
      return unhandled(event);
  }
}

export type ServingVersion = {
  version: string;
  role: 'primary' | 'canary';
  /** Share of the deployment's traffic it takes. */
  percent: number;
  /** The approval its latest rollout here cited (null when none was needed). */
  approvalId: string | null;
};

/** The versions answering requests at that moment, with the approval each rests on. */
export function servingAt(moment: DeploymentMoment): ServingVersion[] {
  if (moment.status !== 'active') return [];
  const canaryPercent = moment.canaryVersion ? (moment.canaryPercent ?? 0) : 0;
  const serving: ServingVersion[] = [];
  if (moment.version !== null) {
    serving.push({
      version: moment.version,
      role: 'primary',
      percent: 100 - canaryPercent,
      approvalId: citedApproval(moment, moment.version),
    });
  }
  if (moment.canaryVersion !== null) {
    serving.push({
      version: moment.canaryVersion,
      role: 'canary',
      percent: canaryPercent,
      approvalId: citedApproval(moment, moment.canaryVersion),
    });
  }
  return serving;
}

/** Own keys only: a version named `constructor` must not find Object.prototype's. */
function citedApproval(moment: DeploymentMoment, version: string): string | null {
  return Object.hasOwn(moment.citedApprovals, version)
    ? (moment.citedApprovals[version] ?? null)
    : null;
}
