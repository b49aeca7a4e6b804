/** A row of the deployments capability's `deployments` table, as the registry reads it. */
export type DeploymentRow = {
  deploymentId: string;
  environment: string;
  /** Serves all traffic, or the share the canary does not. */
  version: string | null;
  canaryVersion: string | null;
  canaryPercent: number | null;
  strategy: string;
  status: string;
};

export type ModelVersionStatus = 'registered' | 'approved' | 'deployed' | 'retired';
export const MODEL_VERSION_STATUSES = ['registered', 'approved', 'deployed', 'retired'] as const;

export type ServingShare = {
  deploymentId: string;
  environment: string;
  role: 'primary' | 'canary';
  /** Share of the environment's traffic this version takes. */
  percent: number;
  strategy: string;
};

/** Where a version serves now: active deployments naming it as primary or canary. */
export function servingShares(version: string, deployments: DeploymentRow[]): ServingShare[] {
  return deployments.flatMap((deployment): ServingShare[] => {
    if (deployment.status !== 'active') return [];
    const { deploymentId, environment, strategy } = deployment;
    const canaryPercent = deployment.canaryVersion ? (deployment.canaryPercent ?? 0) : 0;
    if (deployment.version === version) {
      return [
        { deploymentId, environment, role: 'primary', percent: 100 - canaryPercent, strategy },
      ];
    }
    if (deployment.canaryVersion === version) {
      return [{ deploymentId, environment, role: 'canary', percent: canaryPercent, strategy }];
    }
    return [];
  });
}

/** Retired wins; then serving in an active deployment; then holding any approval. */
export function versionStatus(facts: {
  retired: boolean;
  serving: boolean;
  approved: boolean;
}): ModelVersionStatus {
  if (facts.retired) return 'retired';
  if (facts.serving) return 'deployed';
  return facts.approved ? 'approved' : 'registered';
}
