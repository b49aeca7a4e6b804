import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  DEPLOYMENT_EVENT_TYPES,
  type DeploymentEvent,
} from '../../../deployments/deployment.events';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import { servingAfter, servingChange } from './serving-change';

/**
 * When each model version served in each environment: one row per continuous period, opened and
 * closed by deployment events and dated by their occurredAt. Each deployment stream's events are
 * applied once, in revision order, guarded by the revision kept per slot.
 */
@Injectable()
@ReadModelProjection()
export class ServingPeriodsProjection implements Projection {
  readonly name = 'compliance-serving-periods';
  readonly eventTypes = DEPLOYMENT_EVENT_TYPES;
  readonly tables = ['compliance_serving_slots', 'compliance_serving_periods'];
  private readonly logger = new Logger(ServingPeriodsProjection.name);

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as DeploymentEvent;
    const { deploymentId, model, environment } = event.data;
    if (![deploymentId, model, environment].every((field) => typeof field === 'string')) {
      this.logger.warn({ eventId: recorded.id, type: recorded.type }, 'skipped a malformed event');
      return;
    }
    const revision = recorded.revision.toString();
    const claimed = (await manager.query(
      `INSERT INTO compliance_serving_slots (deployment_id, last_revision) VALUES ($1, $2)
       ON CONFLICT (deployment_id) DO UPDATE SET last_revision = EXCLUDED.last_revision
       WHERE compliance_serving_slots.last_revision < EXCLUDED.last_revision
       RETURNING deployment_id`,
      [deploymentId, revision],
    )) as unknown[];
    if (claimed.length === 0) return;

    const at = recorded.metadata.occurredAt;
    const open = (await manager.query(
      `SELECT version FROM compliance_serving_periods WHERE deployment_id = $1 AND served_to IS NULL`,
      [deploymentId],
    )) as { version: string }[];
    const change = servingChange(
      open.map((row) => row.version),
      servingAfter(event),
    );
    for (const version of change.close) {
      await manager.query(
        `UPDATE compliance_serving_periods
         SET served_to = $3, closed_revision = $4, end_event_id = $5, end_event_type = $6
         WHERE deployment_id = $1 AND version = $2 AND served_to IS NULL`,
        [deploymentId, version, at, revision, recorded.id, recorded.type],
      );
    }
    for (const version of change.takeAllTraffic) {
      await manager.query(
        `UPDATE compliance_serving_periods SET full_from = $3
         WHERE deployment_id = $1 AND version = $2 AND served_to IS NULL AND full_from IS NULL`,
        [deploymentId, version, at],
      );
    }
    for (const { version, as } of change.open) {
      // A rollout cites its approval; a version that returns keeps the one it was deployed on.
      const approvalId =
        event.type === 'ModelDeployed' && event.data.version === version
          ? event.data.approvalId
          : await this.earlierApproval(manager, deploymentId, version, revision);
      await manager.query(
        `INSERT INTO compliance_serving_periods (deployment_id, opened_revision, model, environment,
           version, started_as, served_from, full_from, approval_id, start_event_id, start_event_type)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (deployment_id, opened_revision) DO NOTHING`,
        [
          deploymentId,
          revision,
          model,
          environment,
          version,
          as,
          at,
          as === 'full' ? at : null,
          approvalId,
          recorded.id,
          recorded.type,
        ],
      );
    }
  }

  private async earlierApproval(
    manager: EntityManager,
    deploymentId: string,
    version: string,
    revision: string,
  ): Promise<string | null> {
    const rows = (await manager.query(
      `SELECT approval_id FROM compliance_serving_periods
       WHERE deployment_id = $1 AND version = $2 AND opened_revision < $3
       ORDER BY opened_revision DESC LIMIT 1`,
      [deploymentId, version, revision],
    )) as { approval_id: string | null }[];
    return rows[0]?.approval_id ?? null;
  }
}
