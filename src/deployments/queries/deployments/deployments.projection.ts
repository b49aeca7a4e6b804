import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { firstByField, recordset } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  type ProjectionContext,
  type Recorded,
  ReadModelProjection,
} from '../../../ledger/projections/projection';
import type {
  DeploymentEvent,
  DeploymentPromoted,
  DeploymentRetired,
  DeploymentRolledBack,
  DeploymentStrategy,
  ModelDeployed,
} from '../../deployment.events';
import type { DeploymentStatus } from '../deployments-as-of/deployment-timeline';

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

/** A `deployments` row. */
type DeploymentRow = {
  deployment_id: string;
  model: string;
  environment: string;
  version: string | null;
  canary_version: string | null;
  canary_percent: number | null;
  strategy: DeploymentStrategy;
  status: DeploymentStatus;
  approval_id: string | null;
  deployed_by: string;
  updated_at: string;
  last_revision: bigint;
};

/**
 * Deployments as they stand and their history. A history row is keyed by stream revision and a
 * current row only moves forward in revision, so a replayed event changes nothing.
 *
 * A page is folded in memory (a deployment's events alternate in type, so runs are short): the
 * rows of the deployments it is about are read in one query, and it is written in two statements,
 * its history rows and the rows it changed.
 */
@Injectable()
@ReadModelProjection()
export class DeploymentsProjection extends DeclaredProjection<DeploymentEvent, DeploymentsPage> {
  readonly name = 'deployments';
  readonly tables = ['deployments', 'deployment_history'];

  protected readonly handlers: Handlers<DeploymentEvent, DeploymentsPage> = {
    ModelDeployed: (events, _context, page) =>
      page.apply(events, deploy, deployedEntry, ({ data }) => data),
    DeploymentPromoted: (events, _context, page) => page.apply(events, promote, promotedEntry),
    DeploymentRolledBack: (events, _context, page) => page.apply(events, rollBack, rolledBackEntry),
    DeploymentRetired: (events, _context, page) => page.apply(events, retire, retiredEntry),
  };

  protected override async openPage(
    events: readonly RecordedEvent[],
    { manager }: ProjectionContext,
  ): Promise<DeploymentsPage> {
    const page = new DeploymentsPage(manager);
    await page.readRows([...firstByField(events, 'deploymentId').keys()]);
    return page;
  }

  protected override closePage(page: DeploymentsPage): Promise<void> {
    return page.flush();
  }
}

/**
 * The row after the event, given the row before it (null: none yet). May read the approval a
 * returning version was deployed on.
 */
type Change<E extends DeploymentEvent> = (
  row: DeploymentRow | null,
  event: Recorded<E>,
  approvalOf: (version: string) => Promise<string | null>,
) => Promise<DeploymentRow | null> | DeploymentRow | null;

const deploy: Change<ModelDeployed> = (_row, { data: d, revision }) => {
  const canary = d.strategy === 'canary';
  return {
    deployment_id: d.deploymentId,
    model: d.model,
    environment: d.environment,
    version: canary ? d.previousVersion : d.version,
    canary_version: canary ? d.version : null,
    canary_percent: canary ? d.canaryPercent : null,
    strategy: d.strategy,
    status: 'active',
    approval_id: d.approvalId,
    deployed_by: d.deployedBy,
    updated_at: d.deployedAt,
    last_revision: revision,
  };
};

const promote: Change<DeploymentPromoted> = (row, { data: d, revision }) =>
  row && {
    ...row,
    version: d.version,
    canary_version: null,
    canary_percent: null,
    strategy: 'full',
    deployed_by: d.promotedBy,
    updated_at: d.promotedAt,
    last_revision: revision,
  };

// The version serving again keeps the approval it was deployed on.
const rollBack: Change<DeploymentRolledBack> = async (row, { data: d, revision }, approvalOf) =>
  row && {
    ...row,
    version: d.toVersion,
    canary_version: null,
    canary_percent: null,
    strategy: 'full',
    status: d.toVersion === null ? 'inactive' : 'active',
    approval_id: d.toVersion === null ? null : await approvalOf(d.toVersion),
    deployed_by: d.rolledBackBy,
    updated_at: d.rolledBackAt,
    last_revision: revision,
  };

const retire: Change<DeploymentRetired> = (row, { data: d, revision }) =>
  row && {
    ...row,
    version: null,
    canary_version: null,
    canary_percent: null,
    strategy: 'full',
    status: 'retired',
    approval_id: null,
    deployed_by: d.retiredBy,
    updated_at: d.retiredAt,
    last_revision: revision,
  };

const deployedEntry = ({ data: d }: Recorded<ModelDeployed>): HistoryEntry => ({
  version: d.version,
  fromVersion: d.previousVersion,
  toVersion: d.strategy === 'full' ? d.version : d.previousVersion,
  strategy: d.strategy,
  canaryPercent: d.canaryPercent,
  approvalId: d.approvalId,
  actor: d.deployedBy,
  at: d.deployedAt,
});

const promotedEntry = ({ data: d }: Recorded<DeploymentPromoted>): HistoryEntry => ({
  version: d.version,
  fromVersion: d.previousVersion,
  toVersion: d.version,
  actor: d.promotedBy,
  at: d.promotedAt,
});

const rolledBackEntry = ({ data: d }: Recorded<DeploymentRolledBack>): HistoryEntry => ({
  version: d.fromVersion,
  fromVersion: d.fromVersion,
  toVersion: d.toVersion,
  reason: d.reason,
  automatic: d.automatic,
  actor: d.rolledBackBy,
  at: d.rolledBackAt,
});

const retiredEntry = ({ data: d }: Recorded<DeploymentRetired>): HistoryEntry => ({
  version: d.version,
  fromVersion: d.version,
  toVersion: null,
  reason: d.reason,
  actor: d.retiredBy,
  at: d.retiredAt,
});

type Slot = {
  row: DeploymentRow | null;
  /** The approval of each version's newest rollout known so far (stored ones read on demand). */
  approvals: Map<string, string | null>;
};

class DeploymentsPage {
  private readonly slots = new Map<string, Slot>();
  /** Deployments whose row this page changed. */
  private readonly changed = new Set<string>();
  private readonly history: ReturnType<typeof historyRow>[] = [];

  constructor(private readonly manager: EntityManager) {}

  async apply<E extends DeploymentEvent>(
    events: readonly Recorded<E>[],
    change: Change<E>,
    entryOf: (event: Recorded<E>) => HistoryEntry,
    /** A rollout: the version it deploys and the approval it cites. */
    rollout?: (event: Recorded<E>) => { version: string; approvalId: string | null },
  ): Promise<void> {
    await this.readRows(events.map((event) => event.data.deploymentId));
    for (const event of events) {
      this.history.push(historyRow(event, entryOf(event)));
      const deploymentId = event.data.deploymentId;
      const slot = this.slots.get(deploymentId) as Slot;
      // Stored or applied already: a replayed event changes nothing.
      if (!slot.row || slot.row.last_revision < event.revision) {
        const row = await change(slot.row, event, (version) =>
          this.approvalOf(deploymentId, version, event.revision),
        );
        if (row) {
          slot.row = row;
          this.changed.add(deploymentId);
        }
      }
      const cited = rollout?.(event);
      if (cited) slot.approvals.set(cited.version, cited.approvalId);
    }
  }

  async flush(): Promise<void> {
    if (this.history.length > 0) {
      await this.manager.query(
        `INSERT INTO deployment_history (deployment_id, revision, event_type, version,
           from_version, to_version, strategy, canary_percent, approval_id, reason, automatic,
           actor, at, event_id)
         SELECT deployment_id, revision, event_type, version, from_version, to_version, strategy,
           canary_percent, approval_id, reason, automatic, actor, at, event_id
         FROM jsonb_to_recordset($1::jsonb) AS h(deployment_id text, revision bigint,
           event_type text, version text, from_version text, to_version text, strategy text,
           canary_percent int, approval_id text, reason text, automatic boolean, actor text,
           at timestamptz, event_id uuid)
         ON CONFLICT (deployment_id, revision) DO NOTHING`,
        [recordset(this.history)],
      );
    }
    if (this.changed.size === 0) return;
    const rows = [...this.changed].flatMap((id) => this.slots.get(id)?.row ?? []);
    await this.manager.query(
      `INSERT INTO deployments (deployment_id, model, environment, version, canary_version,
         canary_percent, strategy, status, approval_id, deployed_by, updated_at, last_revision)
       SELECT deployment_id, model, environment, version, canary_version, canary_percent,
         strategy, status, approval_id, deployed_by, updated_at, last_revision
       FROM jsonb_to_recordset($1::jsonb) AS d(deployment_id text, model text, environment text,
         version text, canary_version text, canary_percent int, strategy text, status text,
         approval_id text, deployed_by text, updated_at timestamptz, last_revision bigint)
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
      [recordset(rows)],
    );
  }

  /** Reads the rows of the deployments not met yet in this page. */
  async readRows(deploymentIds: readonly string[]): Promise<void> {
    const unread = [...new Set(deploymentIds.filter((id) => !this.slots.has(id)))];
    if (unread.length === 0) return;
    for (const deploymentId of unread)
      this.slots.set(deploymentId, { row: null, approvals: new Map() });
    const stored = (await this.manager.query(
      `SELECT deployment_id, model, environment, version, canary_version, canary_percent,
         strategy, status, approval_id, deployed_by, updated_at, last_revision
       FROM deployments WHERE deployment_id = ANY($1::text[])`,
      [unread],
    )) as (Omit<DeploymentRow, 'updated_at' | 'last_revision'> & {
      updated_at: Date | string;
      last_revision: string | number;
    })[];
    for (const row of stored) {
      (this.slots.get(row.deployment_id) as Slot).row = {
        ...row,
        updated_at: new Date(row.updated_at).toISOString(),
        last_revision: BigInt(row.last_revision),
      };
    }
  }

  /**
   * The approval the version's newest rollout here before `revision` cited: one in this page,
   * else the newest stored (every stored history row is older than the events a page changes).
   */
  private async approvalOf(
    deploymentId: string,
    version: string,
    revision: bigint,
  ): Promise<string | null> {
    const slot = this.slots.get(deploymentId) as Slot;
    if (slot.approvals.has(version)) return slot.approvals.get(version) ?? null;
    const rows = (await this.manager.query(
      `SELECT approval_id FROM deployment_history
       WHERE deployment_id = $1 AND event_type = 'ModelDeployed' AND version = $2
         AND revision < $3
       ORDER BY revision DESC LIMIT 1`,
      [deploymentId, version, revision.toString()],
    )) as { approval_id: string | null }[];
    const approvalId = rows[0]?.approval_id ?? null;
    slot.approvals.set(version, approvalId);
    return approvalId;
  }
}

function historyRow(event: Recorded<DeploymentEvent>, entry: HistoryEntry) {
  return {
    deployment_id: event.data.deploymentId,
    revision: event.revision,
    event_type: event.type,
    version: entry.version,
    from_version: entry.fromVersion,
    to_version: entry.toVersion,
    strategy: entry.strategy ?? null,
    canary_percent: entry.canaryPercent ?? null,
    approval_id: entry.approvalId ?? null,
    reason: entry.reason ?? null,
    automatic: entry.automatic ?? null,
    actor: entry.actor,
    at: entry.at,
    event_id: event.id,
  };
}
