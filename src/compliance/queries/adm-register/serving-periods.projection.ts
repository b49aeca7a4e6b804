import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeploymentEvent } from '../../../deployments/deployment.events';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { type RecordedOf, firstByField, recordset } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  type ProjectionContext,
  ReadModelProjection,
} from '../../../ledger/projections/projection';
import { servingAfter, servingChange } from './serving-change';

/**
 * When each model version served in each environment: one row per continuous period, opened and
 * closed by deployment events and dated by their occurredAt. Each deployment stream's events are
 * applied once, in revision order, guarded by the revision kept per slot.
 *
 * A page is worked out in memory: the slots and open periods of the deployments it is about are
 * read in two queries, and it is written in at most four statements (slots, periods taking all
 * traffic, periods closed, periods opened).
 */
@Injectable()
@ReadModelProjection()
export class ServingPeriodsProjection extends DeclaredProjection<DeploymentEvent, ServingPage> {
  readonly name = 'compliance-serving-periods';
  readonly tables = ['compliance_serving_slots', 'compliance_serving_periods'];

  protected readonly handlers: Handlers<DeploymentEvent, ServingPage> = {
    ModelDeployed: (events, _context, page) => page.apply(events),
    DeploymentPromoted: (events, _context, page) => page.apply(events),
    DeploymentRolledBack: (events, _context, page) => page.apply(events),
    DeploymentRetired: (events, _context, page) => page.apply(events),
  };

  protected override async openPage(
    events: readonly RecordedEvent[],
    { manager }: ProjectionContext,
  ): Promise<ServingPage> {
    const page = new ServingPage(manager);
    await page.readSlots([...firstByField(events, 'deploymentId').keys()]);
    return page;
  }

  protected override closePage(page: ServingPage): Promise<void> {
    return page.flush();
  }
}

/** A `compliance_serving_periods` row opened in this page (closed in it too, perhaps). */
type NewPeriod = {
  deployment_id: string;
  opened_revision: bigint;
  model: string;
  environment: string;
  version: string;
  started_as: 'full' | 'canary';
  served_from: string;
  full_from: string | null;
  approval_id: string | null;
  start_event_id: string;
  start_event_type: string;
  served_to: string | null;
  closed_revision: bigint | null;
  end_event_id: string | null;
  end_event_type: string | null;
};

/** An open period: one stored before the page (`stored`), or one this page opened (`opened`). */
type OpenPeriod =
  | { stored: { openedRevision: string; fullFrom: boolean }; opened?: undefined }
  | { stored?: undefined; opened: NewPeriod };

type Slot = {
  /** The newest revision applied, stored or in this page (null: none yet). */
  revision: bigint | null;
  open: Map<string, OpenPeriod>;
  /** The approval of each version's newest period known so far (stored ones read on demand). */
  approvals: Map<string, string | null>;
};

class ServingPage {
  private readonly slots = new Map<string, Slot>();
  /** Slots whose revision this page moved. */
  private readonly moved = new Set<string>();
  private readonly opened: NewPeriod[] = [];
  private readonly takingAllTraffic: {
    deployment_id: string;
    opened_revision: string;
    at: string;
  }[] = [];
  private readonly closed: {
    deployment_id: string;
    opened_revision: string;
    at: string;
    revision: bigint;
    event_id: string;
    event_type: string;
  }[] = [];

  constructor(private readonly manager: EntityManager) {}

  async apply(events: readonly RecordedOf<DeploymentEvent>[]): Promise<void> {
    await this.readSlots(events.map((event) => event.data.deploymentId));
    for (const event of events) {
      const { deploymentId, model, environment } = event.data;
      const slot = this.slots.get(deploymentId) as Slot;
      if (slot.revision !== null && slot.revision >= event.revision) continue;
      slot.revision = event.revision;
      this.moved.add(deploymentId);

      const at = event.metadata.occurredAt;
      const change = servingChange([...slot.open.keys()], servingAfter(event));
      for (const version of change.close) {
        const period = slot.open.get(version) as OpenPeriod;
        slot.open.delete(version);
        if (period.opened) {
          Object.assign(period.opened, {
            served_to: at,
            closed_revision: event.revision,
            end_event_id: event.id,
            end_event_type: event.type,
          });
        } else {
          this.closed.push({
            deployment_id: deploymentId,
            opened_revision: period.stored.openedRevision,
            at,
            revision: event.revision,
            event_id: event.id,
            event_type: event.type,
          });
        }
      }
      for (const version of change.takeAllTraffic) {
        const period = slot.open.get(version) as OpenPeriod;
        if (period.opened) period.opened.full_from ??= at;
        else if (!period.stored.fullFrom) {
          period.stored.fullFrom = true;
          this.takingAllTraffic.push({
            deployment_id: deploymentId,
            opened_revision: period.stored.openedRevision,
            at,
          });
        }
      }
      for (const { version, as } of change.open) {
        // A rollout cites its approval; a version that returns keeps the one it was deployed on.
        const approvalId =
          event.type === 'ModelDeployed' && event.data.version === version
            ? event.data.approvalId
            : await this.earlierApproval(deploymentId, version, event.revision);
        const period: NewPeriod = {
          deployment_id: deploymentId,
          opened_revision: event.revision,
          model,
          environment,
          version,
          started_as: as,
          served_from: at,
          full_from: as === 'full' ? at : null,
          approval_id: approvalId,
          start_event_id: event.id,
          start_event_type: event.type,
          served_to: null,
          closed_revision: null,
          end_event_id: null,
          end_event_type: null,
        };
        this.opened.push(period);
        slot.open.set(version, { opened: period });
        slot.approvals.set(version, approvalId);
      }
    }
  }

  async flush(): Promise<void> {
    if (this.moved.size > 0) {
      const slots = [...this.moved].map((deployment_id) => ({
        deployment_id,
        last_revision: (this.slots.get(deployment_id) as Slot).revision,
      }));
      await this.manager.query(
        `INSERT INTO compliance_serving_slots (deployment_id, last_revision)
         SELECT deployment_id, last_revision
         FROM jsonb_to_recordset($1::jsonb) AS s(deployment_id text, last_revision bigint)
         ON CONFLICT (deployment_id) DO UPDATE SET last_revision = EXCLUDED.last_revision
         WHERE compliance_serving_slots.last_revision < EXCLUDED.last_revision`,
        [recordset(slots)],
      );
    }
    // Before the closes: a period stored open can take all traffic, then close, in one page.
    if (this.takingAllTraffic.length > 0) {
      await this.manager.query(
        `UPDATE compliance_serving_periods p SET full_from = f.at
         FROM jsonb_to_recordset($1::jsonb) AS f(deployment_id text, opened_revision bigint,
           at timestamptz)
         WHERE p.deployment_id = f.deployment_id AND p.opened_revision = f.opened_revision
           AND p.served_to IS NULL AND p.full_from IS NULL`,
        [recordset(this.takingAllTraffic)],
      );
    }
    if (this.closed.length > 0) {
      await this.manager.query(
        `UPDATE compliance_serving_periods p
         SET served_to = c.at, closed_revision = c.revision, end_event_id = c.event_id,
           end_event_type = c.event_type
         FROM jsonb_to_recordset($1::jsonb) AS c(deployment_id text, opened_revision bigint,
           at timestamptz, revision bigint, event_id uuid, event_type text)
         WHERE p.deployment_id = c.deployment_id AND p.opened_revision = c.opened_revision
           AND p.served_to IS NULL`,
        [recordset(this.closed)],
      );
    }
    if (this.opened.length > 0) {
      await this.manager.query(
        `INSERT INTO compliance_serving_periods (deployment_id, opened_revision, model,
           environment, version, started_as, served_from, full_from, approval_id, start_event_id,
           start_event_type, served_to, closed_revision, end_event_id, end_event_type)
         SELECT deployment_id, opened_revision, model, environment, version, started_as,
           served_from, full_from, approval_id, start_event_id, start_event_type, served_to,
           closed_revision, end_event_id, end_event_type
         FROM jsonb_to_recordset($1::jsonb) AS o(deployment_id text, opened_revision bigint,
           model text, environment text, version text, started_as text,
           served_from timestamptz, full_from timestamptz, approval_id text,
           start_event_id uuid, start_event_type text, served_to timestamptz,
           closed_revision bigint, end_event_id uuid, end_event_type text)
         ON CONFLICT (deployment_id, opened_revision) DO NOTHING`,
        [recordset(this.opened)],
      );
    }
  }

  /** Reads the slot revision and open periods of the deployments not met yet in this page. */
  async readSlots(deploymentIds: readonly string[]): Promise<void> {
    const unread = [...new Set(deploymentIds.filter((id) => !this.slots.has(id)))];
    if (unread.length === 0) return;
    for (const deploymentId of unread)
      this.slots.set(deploymentId, { revision: null, open: new Map(), approvals: new Map() });
    const stored = (await this.manager.query(
      `SELECT deployment_id, last_revision FROM compliance_serving_slots
       WHERE deployment_id = ANY($1::text[])`,
      [unread],
    )) as { deployment_id: string; last_revision: string }[];
    for (const row of stored)
      (this.slots.get(row.deployment_id) as Slot).revision = BigInt(row.last_revision);
    const open = (await this.manager.query(
      `SELECT deployment_id, opened_revision, version, full_from IS NOT NULL AS full
       FROM compliance_serving_periods
       WHERE deployment_id = ANY($1::text[]) AND served_to IS NULL
       ORDER BY deployment_id, opened_revision`,
      [unread],
    )) as { deployment_id: string; opened_revision: string; version: string; full: boolean }[];
    for (const row of open) {
      (this.slots.get(row.deployment_id) as Slot).open.set(row.version, {
        stored: { openedRevision: String(row.opened_revision), fullFrom: row.full },
      });
    }
  }

  /**
   * The approval of the version's newest earlier period in this deployment: one opened in this
   * page, else the newest stored (every stored period is older than the events a page applies).
   */
  private async earlierApproval(
    deploymentId: string,
    version: string,
    revision: bigint,
  ): Promise<string | null> {
    const slot = this.slots.get(deploymentId) as Slot;
    if (slot.approvals.has(version)) return slot.approvals.get(version) ?? null;
    const rows = (await this.manager.query(
      `SELECT approval_id FROM compliance_serving_periods
       WHERE deployment_id = $1 AND version = $2 AND opened_revision < $3
       ORDER BY opened_revision DESC LIMIT 1`,
      [deploymentId, version, revision.toString()],
    )) as { approval_id: string | null }[];
    const approvalId = rows[0]?.approval_id ?? null;
    slot.approvals.set(version, approvalId);
    return approvalId;
  }
}
