import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { unhandled } from '../../../ledger/commands/decider';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import { DEPLOYMENT_EVENT_TYPES, type DeploymentEvent } from '../../deployment.events';

type HistoryEntry = {
  version: string | null;
  fromVersion: string | null;
  toVersion: string | null;
  strategy?: string;
  canaryPercent?: number | null;
  approvalId?: string | null;
  reason?: string;
  automatic?: boolean;
  actor: string;
  at: string;
};

/**
 * Deployments as they stand and their history. A history row is keyed by stream revision and a
 * current row only moves forward in revision, so a replayed event changes nothing.
 */
@Injectable()
@ReadModelProjection()
export class DeploymentsProjection implements Projection {
  readonly name = 'deployments';
  readonly eventTypes = DEPLOYMENT_EVENT_TYPES;
  readonly tables = ['deployments', 'deployment_history'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as DeploymentEvent;
    const revision = recorded.revision.toString();
    const id = event.data.deploymentId;
    switch (event.type) {
      case 'ModelDeployed': {
        const d = event.data;
        await this.record(manager, recorded, id, {
          version: d.version,
          fromVersion: d.previousVersion,
          toVersion: d.strategy === 'full' ? d.version : d.previousVersion,
          strategy: d.strategy,
          canaryPercent: d.canaryPercent,
          approvalId: d.approvalId,
          actor: d.deployedBy,
          at: d.deployedAt,
        });
        const canary = d.strategy === 'canary';
        await manager.query(
          `INSERT INTO deployments (deployment_id, model, environment, version, canary_version,
             canary_percent, strategy, status, approval_id, deployed_by, updated_at, last_revision)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11)
           ON CONFLICT (deployment_id) DO UPDATE SET
             version = EXCLUDED.version,
             canary_version = EXCLUDED.canary_version,
             canary_percent = EXCLUDED.canary_percent,
             strategy = EXCLUDED.strategy,
             status = EXCLUDED.status,
             approval_id = EXCLUDED.approval_id,
             deployed_by = EXCLUDED.deployed_by,
             updated_at = EXCLUDED.updated_at,
             last_revision = EXCLUDED.last_revision
           WHERE deployments.last_revision < EXCLUDED.last_revision`,
          [
            id,
            d.model,
            d.environment,
            canary ? d.previousVersion : d.version,
            canary ? d.version : null,
            canary ? d.canaryPercent : null,
            d.strategy,
            d.approvalId,
            d.deployedBy,
            d.deployedAt,
            revision,
          ],
        );
        return;
      }
      case 'DeploymentPromoted': {
        const d = event.data;
        await this.record(manager, recorded, id, {
          version: d.version,
          fromVersion: d.previousVersion,
          toVersion: d.version,
          actor: d.promotedBy,
          at: d.promotedAt,
        });
        await manager.query(
          `UPDATE deployments SET version = $2, canary_version = NULL, canary_percent = NULL,
             strategy = 'full', deployed_by = $3, updated_at = $4, last_revision = $5
           WHERE deployment_id = $1 AND last_revision < $5`,
          [id, d.version, d.promotedBy, d.promotedAt, revision],
        );
        return;
      }
      case 'DeploymentRolledBack': {
        const d = event.data;
        await this.record(manager, recorded, id, {
          version: d.fromVersion,
          fromVersion: d.fromVersion,
          toVersion: d.toVersion,
          reason: d.reason,
          automatic: d.automatic,
          actor: d.rolledBackBy,
          at: d.rolledBackAt,
        });
        // The version serving again keeps the approval it was deployed on.
        await manager.query(
          `UPDATE deployments SET version = $2, canary_version = NULL, canary_percent = NULL,
             strategy = 'full', status = CASE WHEN $2::text IS NULL THEN 'inactive' ELSE 'active' END,
             approval_id = (SELECT h.approval_id FROM deployment_history h
                            WHERE h.deployment_id = $1 AND h.event_type = 'ModelDeployed'
                              AND h.version = $2 AND h.revision < $5
                            ORDER BY h.revision DESC LIMIT 1),
             deployed_by = $3, updated_at = $4, last_revision = $5
           WHERE deployment_id = $1 AND last_revision < $5`,
          [id, d.toVersion, d.rolledBackBy, d.rolledBackAt, revision],
        );
        return;
      }
      case 'DeploymentRetired': {
        const d = event.data;
        await this.record(manager, recorded, id, {
          version: d.version,
          fromVersion: d.version,
          toVersion: null,
          reason: d.reason,
          actor: d.retiredBy,
          at: d.retiredAt,
        });
        await manager.query(
          `UPDATE deployments SET version = NULL, canary_version = NULL, canary_percent = NULL,
             strategy = 'full', status = 'retired', approval_id = NULL,
             deployed_by = $2, updated_at = $3, last_revision = $4
           WHERE deployment_id = $1 AND last_revision < $4`,
          [id, d.retiredBy, d.retiredAt, revision],
        );
        return;
      }
      default:
        unhandled(event);
    }
  }

  private async record(
    manager: EntityManager,
    recorded: RecordedEvent,
    deploymentId: string,
    entry: HistoryEntry,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO deployment_history (deployment_id, revision, event_type, version, from_version,
         to_version, strategy, canary_percent, approval_id, reason, automatic, actor, at, event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (deployment_id, revision) DO NOTHING`,
      [
        deploymentId,
        recorded.revision.toString(),
        recorded.type,
        entry.version,
        entry.fromVersion,
        entry.toVersion,
        entry.strategy ?? null,
        entry.canaryPercent ?? null,
        entry.approvalId ?? null,
        entry.reason ?? null,
        entry.automatic ?? null,
        entry.actor,
        entry.at,
        recorded.id,
      ],
    );
  }
}
