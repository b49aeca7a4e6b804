import type { DeploymentRow } from '../model-registry/version-status';

/**
 * The deployments capability's `deployment_timeline`, read at query time: each deployment of the
 * model as its newest event at or before `asOf` left it, by environment. One first rolled out
 * later is absent.
 */
export async function deploymentsAsOf(
  dataSource: { query(sql: string, parameters: unknown[]): Promise<unknown> },
  model: string,
  asOf: Date,
): Promise<DeploymentRow[]> {
  return (await dataSource.query(
    `SELECT * FROM (
       SELECT DISTINCT ON (deployment_id) deployment_id AS "deploymentId", environment, version,
         canary_version AS "canaryVersion", canary_percent AS "canaryPercent", strategy, status
       FROM deployment_timeline WHERE model = $1 AND at <= $2
       ORDER BY deployment_id, revision DESC
     ) moment ORDER BY environment`,
    [model, asOf],
  )) as DeploymentRow[];
}
