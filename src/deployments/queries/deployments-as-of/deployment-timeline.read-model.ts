import type { DeploymentStrategy } from '../../deployment.events';
import type { DeploymentMoment, DeploymentStatus } from './deployment-timeline';
import type { TimelineStep } from './version-deployments';

/** A `deployment_timeline` row as raw SQL reads it (columns aliased to these names). */
export type MomentRow = {
  deploymentId: string;
  revision: string;
  model: string;
  environment: string;
  version: string | null;
  canaryVersion: string | null;
  canaryPercent: number | null;
  strategy: DeploymentStrategy;
  status: DeploymentStatus;
  approvalId: string | null;
  citedApprovals: Record<string, string | null>;
  deployedBy: string;
  at: Date;
};

export const MOMENT_COLUMNS = `deployment_id AS "deploymentId", revision, model, environment, version,
  canary_version AS "canaryVersion", canary_percent AS "canaryPercent", strategy, status,
  approval_id AS "approvalId", cited_approvals AS "citedApprovals", deployed_by AS "deployedBy", at`;

export function momentOf(row: MomentRow): DeploymentMoment {
  return {
    model: row.model,
    environment: row.environment,
    version: row.version,
    canaryVersion: row.canaryVersion,
    canaryPercent: row.canaryPercent,
    strategy: row.strategy,
    status: row.status,
    approvalId: row.approvalId,
    citedApprovals: row.citedApprovals,
    deployedBy: row.deployedBy,
  };
}

/**
 * Each deployment as it stood at `asOf` (its newest event at or before it), sorted by model then
 * environment; a deployment first rolled out later is absent. Filters apply to that state.
 */
export async function deploymentsAt(
  source: { query(sql: string, parameters: unknown[]): Promise<unknown> },
  asOf: Date,
  filter: { environment?: string; model?: string; status?: string } = {},
): Promise<MomentRow[]> {
  const parameters: unknown[] = [asOf];
  const where = (column: string, value: string | undefined) => {
    if (value === undefined) return [];
    parameters.push(value);
    return [`${column} = $${parameters.length}`];
  };
  const inside = [
    'at <= $1',
    ...where('environment', filter.environment),
    ...where('model', filter.model),
  ];
  const outside = where('status', filter.status);
  return (await source.query(
    `SELECT * FROM (
       SELECT DISTINCT ON (deployment_id) ${MOMENT_COLUMNS} FROM deployment_timeline
       WHERE ${inside.join(' AND ')}
       ORDER BY deployment_id, revision DESC
     ) moment
     ${outside.length > 0 ? `WHERE ${outside.join(' AND ')}` : ''}
     ORDER BY model, environment`,
    parameters,
  )) as MomentRow[];
}

type StepRow = MomentRow & { eventType: TimelineStep['eventType']; eventId: string };

/**
 * The timeline of the deployments of `models` (every model when null), each in revision order,
 * up to `asOf` (every step when null): what `versionDeployments` derives serving state from.
 */
export async function timelineSteps(
  source: { query(sql: string, parameters: unknown[]): Promise<unknown> },
  models: readonly string[] | null,
  asOf: Date | null,
): Promise<TimelineStep[]> {
  const rows = (await source.query(
    `SELECT ${MOMENT_COLUMNS}, event_type AS "eventType", event_id AS "eventId"
     FROM deployment_timeline
     WHERE ($1::text[] IS NULL OR model = ANY($1::text[]))
       AND ($2::timestamptz IS NULL OR at <= $2::timestamptz)
     ORDER BY deployment_id, revision`,
    [models, asOf],
  )) as StepRow[];
  return rows.map((row) => ({
    deploymentId: row.deploymentId,
    revision: Number(row.revision),
    eventType: row.eventType,
    eventId: row.eventId,
    at: new Date(row.at),
    moment: momentOf(row),
  }));
}
