import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeploymentHistoryRow } from './deployment.read-model';

/** One change to a deployment, as other capabilities see it. */
export interface DeploymentChange {
  deploymentId: string;
  eventType: string;
  version: string | null;
  fromVersion: string | null;
  toVersion: string | null;
  strategy: string | null;
  canaryPercent: number | null;
  reason: string | null;
  automatic: boolean | null;
  actor: string;
  at: string;
}

/** A change to a deployment as deployment_history stores it (columns by their names). */
export interface DeploymentHistoryEntry {
  event_type: string;
  version: string | null;
  from_version: string | null;
  to_version: string | null;
  strategy: string | null;
  canary_percent: number | null;
  reason: string | null;
  automatic: boolean | null;
  actor: string;
  at: Date;
  event_id: string;
}

/**
 * The deployments capability's read interface over deployment_history for other capabilities
 * (docs/architecture.md, "Boundaries"): they read it here, never by SQL of their own.
 */
@Injectable()
export class DeploymentHistoryReader {
  constructor(private readonly db: DataSource) {}

  /** Every change to a deployment this version ever served in, oldest first. */
  async changesServing(model: string, version: string): Promise<DeploymentChange[]> {
    const rows = await this.db
      .getRepository(DeploymentHistoryRow)
      .createQueryBuilder('h')
      .where(
        `h.deployment_id IN (SELECT deployment_id FROM deployment_history
           WHERE deployment_id LIKE :prefix AND :version IN (version, from_version, to_version))`,
        { prefix: `${model}.%`, version },
      )
      .orderBy('h.at')
      .addOrderBy('h.deploymentId')
      .addOrderBy('h.revision')
      .getMany();
    return rows.map((row) => ({
      deploymentId: row.deploymentId,
      eventType: row.eventType,
      version: row.version,
      fromVersion: row.fromVersion,
      toVersion: row.toVersion,
      strategy: row.strategy,
      canaryPercent: row.canaryPercent,
      reason: row.reason,
      automatic: row.automatic,
      actor: row.actor,
      at: row.at.toISOString(),
    }));
  }

  /** The changes to a deployment recorded in [from, to), unordered. */
  async inWindow(
    deploymentId: string,
    from: string,
    to: string,
  ): Promise<DeploymentHistoryEntry[]> {
    return (await this.db.query(
      `SELECT event_type, version, from_version, to_version, strategy, canary_percent, reason,
         automatic, actor, at, event_id
       FROM deployment_history WHERE deployment_id = $1 AND at >= $2 AND at < $3`,
      [deploymentId, from, to],
    )) as DeploymentHistoryEntry[];
  }
}
