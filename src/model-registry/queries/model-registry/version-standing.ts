import { timelineSteps } from '../../../deployments/queries/deployments-as-of/deployment-timeline.reader';
import {
  type ServingShare,
  type TimelineStep,
  type VersionDeployment,
  servedDates,
  versionDeployments,
} from '../../../deployments/queries/deployments-as-of/version-deployments';
import { type ModelVersionStatus, versionStatus } from './version-status';

type Source = { query(sql: string, parameters: unknown[]): Promise<unknown> };

/** A model version's status and where it serves, with the deployments behind them. */
export type VersionStanding = {
  status: ModelVersionStatus;
  /** Some approval of it was granted (for any environment). */
  approved: boolean;
  /** Where it serves now (or at the instant asked): deployment, environment, role, share. */
  serving: ServingShare[];
  /** Every spell it served, oldest first. */
  deploymentHistory: VersionDeployment[];
  /** When it first served anywhere; null if never deployed. */
  firstDeployedAt: string | null;
  /** When it last stopped serving; null while it serves or if never deployed. */
  lastServedUntil: string | null;
};

/** One deployment of a model as its newest step left it. */
export type DeploymentNow = {
  deploymentId: string;
  environment: string;
  version: string | null;
  canaryVersion: string | null;
  canaryPercent: number | null;
  strategy: string;
  status: string;
};

export type Standings = {
  /** By `model@version`, for every version registered by the instant. */
  versions: Map<string, VersionStanding>;
  /** Each model's deployments as they stood, by environment. */
  deployments: Map<string, DeploymentNow[]>;
};

export const standingKey = (model: string, version: string) => `${model}@${version}`;

/**
 * The one place a model version's status and serving state come from, for every view of it: the
 * registry (now and `asOf`), lineage nodes and the ASIC inventory. Retirement and approvals from
 * the registry's rows, serving from `deployment_timeline` through `versionDeployments`, and the
 * status from `versionStatus`. `asOf` null: as recorded now; else facts dated at or before it.
 */
export async function versionStandings(
  source: Source,
  models: readonly string[] | null,
  asOf: Date | null,
): Promise<Standings> {
  const [registered, approved, steps] = await Promise.all([
    source.query(
      `SELECT model, version, retired_at AS "retiredAt" FROM model_versions
       WHERE ($1::text[] IS NULL OR model = ANY($1::text[]))
         AND ($2::timestamptz IS NULL OR registered_at <= $2::timestamptz)`,
      [models, asOf],
    ) as Promise<{ model: string; version: string; retiredAt: Date | null }[]>,
    source.query(
      `SELECT DISTINCT model, version FROM model_version_approvals
       WHERE ($1::text[] IS NULL OR model = ANY($1::text[]))
         AND ($2::timestamptz IS NULL OR approved_at <= $2::timestamptz)`,
      [models, asOf],
    ) as Promise<{ model: string; version: string }[]>,
    timelineSteps(source, models, asOf),
  ]);
  const approvedKeys = new Set(approved.map((row) => standingKey(row.model, row.version)));
  const stepsByModel = new Map<string, TimelineStep[]>();
  for (const step of steps) {
    const list = stepsByModel.get(step.moment.model) ?? [];
    list.push(step);
    stepsByModel.set(step.moment.model, list);
  }
  const servingByModel = new Map(
    [...stepsByModel].map(([model, list]) => [model, versionDeployments(list)]),
  );
  const versions = new Map<string, VersionStanding>();
  for (const row of registered) {
    const serving = servingByModel.get(row.model)?.get(row.version);
    const retired = row.retiredAt !== null && (asOf === null || row.retiredAt <= asOf);
    const approved = approvedKeys.has(standingKey(row.model, row.version));
    versions.set(standingKey(row.model, row.version), {
      status: versionStatus({ retired, serving: (serving?.serving.length ?? 0) > 0, approved }),
      approved,
      serving: serving?.serving ?? [],
      deploymentHistory: serving?.history ?? [],
      ...servedDates(serving),
    });
  }
  const deployments = new Map(
    [...stepsByModel].map(([model, list]) => [model, latestPerDeployment(list)]),
  );
  return { versions, deployments };
}

/** Each deployment's newest step, by environment. */
function latestPerDeployment(steps: TimelineStep[]): DeploymentNow[] {
  const latest = new Map<string, TimelineStep>();
  for (const step of steps) {
    const seen = latest.get(step.deploymentId);
    if (!seen || seen.revision < step.revision) latest.set(step.deploymentId, step);
  }
  return [...latest.values()]
    .map(({ deploymentId, moment }) => ({
      deploymentId,
      environment: moment.environment,
      version: moment.version,
      canaryVersion: moment.canaryVersion,
      canaryPercent: moment.canaryPercent,
      strategy: moment.strategy,
      status: moment.status,
    }))
    .sort((a, b) => a.environment.localeCompare(b.environment));
}
