import type {
  DeploymentPromoted,
  DeploymentRetired,
  DeploymentRolledBack,
  ModelDeployed,
} from '../../src/deployments/deployment.events';

/**
 * Deployment events as a `deployment-<model>.<environment>` stream holds them, for projection
 * specs: complete payloads, dated on 2026-03-01 at 09:<minute> UTC.
 */

export type At<E> = E & { stream: string };

export const APPROVAL_1 = '01950000-0000-7000-8000-00000000a001';
export const APPROVAL_2 = '01950000-0000-7000-8000-00000000a002';
export const APPROVAL_3 = '01950000-0000-7000-8000-00000000a003';
export const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString();

export function deployed(
  deploymentId: string,
  version: string,
  options: {
    previousVersion?: string | null;
    canaryPercent?: number;
    approvalId?: string | null;
    minute?: number;
  } = {},
): At<ModelDeployed> {
  const [model, environment] = deploymentId.split('.');
  const canary = options.canaryPercent !== undefined;
  return {
    type: 'ModelDeployed',
    stream: `deployment-${deploymentId}`,
    data: {
      deploymentId,
      model,
      version,
      environment,
      strategy: canary ? 'canary' : 'full',
      canaryPercent: canary ? (options.canaryPercent ?? null) : null,
      previousVersion: options.previousVersion ?? null,
      approvalId: options.approvalId === undefined ? APPROVAL_1 : options.approvalId,
      deployedBy: 'dev-ops',
      deployedAt: at(options.minute ?? 0),
    },
  };
}

export function promoted(
  deploymentId: string,
  version: string,
  previousVersion: string | null,
  minute = 10,
): At<DeploymentPromoted> {
  const [model, environment] = deploymentId.split('.');
  return {
    type: 'DeploymentPromoted',
    stream: `deployment-${deploymentId}`,
    data: {
      deploymentId,
      model,
      version,
      environment,
      previousVersion,
      promotedBy: 'release-manager',
      promotedAt: at(minute),
    },
  };
}

export function rolledBack(
  deploymentId: string,
  fromVersion: string,
  toVersion: string | null,
  options: { automatic?: boolean; minute?: number } = {},
): At<DeploymentRolledBack> {
  const [model, environment] = deploymentId.split('.');
  const automatic = options.automatic ?? false;
  return {
    type: 'DeploymentRolledBack',
    stream: `deployment-${deploymentId}`,
    data: {
      deploymentId,
      model,
      environment,
      fromVersion,
      toVersion,
      reason: automatic ? 'auc breached its threshold' : 'error rate above target',
      automatic,
      causeAlertId: automatic ? '01950000-0000-7000-8000-0000000a1e70' : null,
      rolledBackBy: automatic ? 'attest' : 'dev-ops',
      rolledBackAt: at(options.minute ?? 20),
    },
  };
}

export function retired(deploymentId: string, version: string, minute = 30): At<DeploymentRetired> {
  const [model, environment] = deploymentId.split('.');
  return {
    type: 'DeploymentRetired',
    stream: `deployment-${deploymentId}`,
    data: {
      deploymentId,
      model,
      environment,
      version,
      reason: 'model decommissioned',
      retiredBy: 'dev-ops',
      retiredAt: at(minute),
    },
  };
}
