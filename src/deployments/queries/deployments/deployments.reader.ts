import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Where a deployment stands now, as other capabilities see it. */
export interface CurrentDeployment {
  model: string;
  environment: string;
  status: string;
  version: string | null;
  canaryVersion: string | null;
}

/**
 * The deployments capability's read interface over its deployments table for other
 * capabilities (docs/architecture.md, "Boundaries"): they read it here, never by SQL of their own.
 */
@Injectable()
export class DeploymentsReader {
  constructor(private readonly db: DataSource) {}

  /** The deployment as it stands; undefined when the ledger never recorded it. */
  async current(deploymentId: string): Promise<CurrentDeployment | undefined> {
    const [row] = (await this.db.query(
      `SELECT model, environment, status, version, canary_version FROM deployments
       WHERE deployment_id = $1`,
      [deploymentId],
    )) as {
      model: string;
      environment: string;
      status: string;
      version: string | null;
      canary_version: string | null;
    }[];
    return row
      ? {
          model: row.model,
          environment: row.environment,
          status: row.status,
          version: row.version,
          canaryVersion: row.canary_version,
        }
      : undefined;
  }

  /** Whether the ledger recorded this deployment. */
  async exists(deploymentId: string): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 FROM deployments WHERE deployment_id = $1', [
      deploymentId,
    ])) as unknown[];
    return rows.length > 0;
  }
}
