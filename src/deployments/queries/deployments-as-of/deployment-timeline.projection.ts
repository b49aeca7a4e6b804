import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import { DEPLOYMENT_EVENT_TYPES, type DeploymentEvent } from '../../deployment.events';
import { type DeploymentMoment, nextMoment } from './deployment-timeline';
import { MOMENT_COLUMNS, type MomentRow, momentOf } from './deployment-timeline.read-model';

/**
 * `deployment_timeline`: each deployment as every event of its stream left it, dated by the
 * event's occurredAt. A row is keyed by stream revision and folded from the row before it in this
 * same table, so a replayed event changes nothing and a rebuild needs no other projection.
 */
@Injectable()
@ReadModelProjection()
export class DeploymentTimelineProjection implements Projection {
  readonly name = 'deployment-timeline';
  readonly eventTypes = DEPLOYMENT_EVENT_TYPES;
  readonly tables = ['deployment_timeline'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as unknown as DeploymentEvent;
    const deploymentId = event.data.deploymentId;
    if (typeof deploymentId !== 'string') return;
    const revision = recorded.revision.toString();
    const [before] = (await manager.query(
      `SELECT ${MOMENT_COLUMNS} FROM deployment_timeline
       WHERE deployment_id = $1 AND revision < $2 ORDER BY revision DESC LIMIT 1`,
      [deploymentId, revision],
    )) as MomentRow[];
    const moment = nextMoment(before ? momentOf(before) : null, event);
    if (moment) await insert(manager, recorded, deploymentId, moment);
  }
}

async function insert(
  manager: EntityManager,
  recorded: RecordedEvent,
  deploymentId: string,
  moment: DeploymentMoment,
): Promise<void> {
  await manager.query(
    `INSERT INTO deployment_timeline (deployment_id, revision, model, environment, event_type, version,
       canary_version, canary_percent, strategy, status, approval_id, cited_approvals, deployed_by, at,
       event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15)
     ON CONFLICT (deployment_id, revision) DO NOTHING`,
    [
      deploymentId,
      recorded.revision.toString(),
      moment.model,
      moment.environment,
      recorded.type,
      moment.version,
      moment.canaryVersion,
      moment.canaryPercent,
      moment.strategy,
      moment.status,
      moment.approvalId,
      JSON.stringify(moment.citedApprovals),
      moment.deployedBy,
      recorded.metadata.occurredAt,
      recorded.id,
    ],
  );
}
