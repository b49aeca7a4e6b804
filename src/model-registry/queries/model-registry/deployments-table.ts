import type { DeploymentRow } from './version-status';

const UNDEFINED_TABLE = '42P01';

/**
 * The deployments capability's `deployments` table, read at query time (it is that capability's
 * to write). Where its migration has not run the table is missing, which reads as no deployments.
 */
export async function deploymentsOf(
  dataSource: { query(sql: string, parameters: unknown[]): Promise<unknown> },
  model: string,
): Promise<DeploymentRow[]> {
  try {
    return (await dataSource.query(
      `SELECT deployment_id AS "deploymentId", environment, version, canary_version AS "canaryVersion",
         canary_percent AS "canaryPercent", strategy, status
       FROM deployments WHERE model = $1 ORDER BY environment`,
      [model],
    )) as DeploymentRow[];
  } catch (error) {
    const failure = error as { code?: unknown; driverError?: { code?: unknown } };
    if ((failure.driverError?.code ?? failure.code) === UNDEFINED_TABLE) return [];
    throw error;
  }
}
