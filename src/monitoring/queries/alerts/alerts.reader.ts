import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** An alert of a deployment, as other capabilities see it. */
export interface DeploymentAlert {
  id: string;
  deploymentId: string;
  severity: string;
  kind: string;
  summary: string;
  status: string;
  raisedAt: string;
  resolvedAt: string | null;
}

/**
 * The monitoring capability's read interface over its alerts for other capabilities
 * (docs/architecture.md, "Boundaries"): they read the table here, never by SQL of their own.
 */
@Injectable()
export class AlertsReader {
  constructor(private readonly db: DataSource) {}

  /** Every alert raised on these deployments, oldest first. */
  async ofDeployments(deploymentIds: readonly string[]): Promise<DeploymentAlert[]> {
    if (deploymentIds.length === 0) return [];
    const rows = (await this.db.query(
      `SELECT alert_id, deployment_id, severity, kind, summary, status, raised_at, resolved_at
       FROM alerts WHERE deployment_id = ANY($1) ORDER BY raised_at, alert_id`,
      [deploymentIds],
    )) as {
      alert_id: string;
      deployment_id: string;
      severity: string;
      kind: string;
      summary: string;
      status: string;
      raised_at: Date;
      resolved_at: Date | null;
    }[];
    return rows.map((row) => ({
      id: row.alert_id,
      deploymentId: row.deployment_id,
      severity: row.severity,
      kind: row.kind,
      summary: row.summary,
      status: row.status,
      raisedAt: row.raised_at.toISOString(),
      resolvedAt: row.resolved_at?.toISOString() ?? null,
    }));
  }
}
