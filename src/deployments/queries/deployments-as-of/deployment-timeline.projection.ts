import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { type RecordedOf, firstByField, recordset } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  type ProjectionContext,
  ReadModelProjection,
} from '../../../ledger/projections/projection';
import type { DeploymentEvent } from '../../deployment.events';
import { type DeploymentMoment, nextMoment } from './deployment-timeline';
import { MOMENT_COLUMNS, type MomentRow, momentOf } from './deployment-timeline.read-model';

/**
 * `deployment_timeline`: each deployment as every event of its stream left it, dated by the
 * event's occurredAt. A row is keyed by stream revision and folded from the row before it in this
 * same table, so a replayed event changes nothing and a rebuild needs no other projection.
 *
 * A page is folded in memory: the row before the page of each deployment it is about is read in
 * one query, and the page's rows are one insert.
 */
@Injectable()
@ReadModelProjection()
export class DeploymentTimelineProjection extends DeclaredProjection<
  DeploymentEvent,
  TimelinePage
> {
  readonly name = 'deployment-timeline';
  readonly tables = ['deployment_timeline'];

  protected readonly handlers: Handlers<DeploymentEvent, TimelinePage> = {
    ModelDeployed: (events, _context, page) => page.fold(events),
    DeploymentPromoted: (events, _context, page) => page.fold(events),
    DeploymentRolledBack: (events, _context, page) => page.fold(events),
    DeploymentRetired: (events, _context, page) => page.fold(events),
  };

  protected override async openPage(
    events: readonly RecordedEvent[],
    { manager }: ProjectionContext,
  ): Promise<TimelinePage> {
    const page = new TimelinePage(manager);
    await page.readBefore(firstByField(events, 'deploymentId'));
    return page;
  }

  protected override closePage(page: TimelinePage): Promise<void> {
    return page.flush();
  }
}

type TimelineRow = ReturnType<typeof rowOf>;

/** One page's fold: the newest moment of each deployment it has met, and the rows to insert. */
class TimelinePage {
  /** Each deployment's newest moment so far (null: never rolled out before). */
  private readonly latest = new Map<string, DeploymentMoment | null>();
  private readonly rows: TimelineRow[] = [];

  constructor(private readonly manager: EntityManager) {}

  async fold(events: readonly RecordedOf<DeploymentEvent>[]): Promise<void> {
    await this.readBefore(firstByField(events, 'deploymentId'));
    for (const event of events) {
      const deploymentId = event.data.deploymentId;
      const moment = nextMoment(this.latest.get(deploymentId) ?? null, event);
      if (!moment) continue;
      this.latest.set(deploymentId, moment);
      this.rows.push(rowOf(event, moment));
    }
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    await this.manager.query(
      `INSERT INTO deployment_timeline (deployment_id, revision, model, environment, event_type,
         version, canary_version, canary_percent, strategy, status, approval_id, cited_approvals,
         deployed_by, at, event_id)
       SELECT deployment_id, revision, model, environment, event_type, version, canary_version,
         canary_percent, strategy, status, approval_id, cited_approvals, deployed_by, at, event_id
       FROM jsonb_to_recordset($1::jsonb) AS t(deployment_id text, revision bigint, model text,
         environment text, event_type text, version text, canary_version text,
         canary_percent int, strategy text, status text, approval_id text,
         cited_approvals jsonb, deployed_by text, at timestamptz, event_id uuid)
       ON CONFLICT (deployment_id, revision) DO NOTHING`,
      [recordset(this.rows)],
    );
  }

  /**
   * Reads the row before its first event here of each deployment not met yet in the page (the
   * page's first event of each deployment, by id).
   */
  async readBefore(firstEvents: ReadonlyMap<string, { revision: bigint }>): Promise<void> {
    const first = new Map(
      [...firstEvents].filter(([deploymentId]) => !this.latest.has(deploymentId)),
    );
    if (first.size === 0) return;
    const keys = [...first].map(([deployment_id, { revision }]) => ({ deployment_id, revision }));
    const rows = (await this.manager.query(
      `SELECT moment.* FROM jsonb_to_recordset($1::jsonb) AS k(deployment_id text, revision bigint)
       CROSS JOIN LATERAL (
         SELECT ${MOMENT_COLUMNS} FROM deployment_timeline t
         WHERE t.deployment_id = k.deployment_id AND t.revision < k.revision
         ORDER BY t.revision DESC LIMIT 1
       ) moment`,
      [recordset(keys)],
    )) as MomentRow[];
    for (const deploymentId of first.keys()) this.latest.set(deploymentId, null);
    for (const row of rows) this.latest.set(row.deploymentId, momentOf(row));
  }
}

function rowOf(event: RecordedOf<DeploymentEvent>, moment: DeploymentMoment) {
  return {
    deployment_id: event.data.deploymentId,
    revision: event.revision,
    model: moment.model,
    environment: moment.environment,
    event_type: event.type,
    version: moment.version,
    canary_version: moment.canaryVersion,
    canary_percent: moment.canaryPercent,
    strategy: moment.strategy,
    status: moment.status,
    approval_id: moment.approvalId,
    cited_approvals: moment.citedApprovals,
    deployed_by: moment.deployedBy,
    at: event.metadata.occurredAt,
    event_id: event.id,
  };
}
