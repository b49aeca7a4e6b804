import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { newestBy, recordset } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  type Recorded,
  ReadModelProjection,
} from '../../../ledger/projections/projection';
import type { DeploymentEvent } from '../../deployment.events';

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

const byDeployment = (event: Recorded<DeploymentEvent>) => event.data.deploymentId;

/**
 * Deployments as they stand and their history. A history row is keyed by stream revision and a
 * current row only moves forward in revision, so a replayed event changes nothing. A run of one
 * event type is two statements: its history rows, then the current rows as each deployment's
 * newest event of the run left them.
 */
@Injectable()
@ReadModelProjection()
export class DeploymentsProjection extends DeclaredProjection<DeploymentEvent> {
  readonly name = 'deployments';
  readonly tables = ['deployments', 'deployment_history'];

  protected readonly handlers: Handlers<DeploymentEvent> = {
    ModelDeployed: async (events, { manager }) => {
      await recordHistory(manager, events, ({ data: d }) => ({
        version: d.version,
        fromVersion: d.previousVersion,
        toVersion: d.strategy === 'full' ? d.version : d.previousVersion,
        strategy: d.strategy,
        canaryPercent: d.canaryPercent,
        approvalId: d.approvalId,
        actor: d.deployedBy,
        at: d.deployedAt,
      }));
      const rows = newestBy(events, byDeployment).map(({ data: d, revision }) => {
        const canary = d.strategy === 'canary';
        return {
          deployment_id: d.deploymentId,
          model: d.model,
          environment: d.environment,
          version: canary ? d.previousVersion : d.version,
          canary_version: canary ? d.version : null,
          canary_percent: canary ? d.canaryPercent : null,
          strategy: d.strategy,
          approval_id: d.approvalId,
          deployed_by: d.deployedBy,
          updated_at: d.deployedAt,
          last_revision: revision,
        };
      });
      await manager.query(
        `INSERT INTO deployments (deployment_id, model, environment, version, canary_version,
           canary_percent, strategy, status, approval_id, deployed_by, updated_at, last_revision)
         SELECT deployment_id, model, environment, version, canary_version, canary_percent,
           strategy, 'active', approval_id, deployed_by, updated_at, last_revision
         FROM jsonb_to_recordset($1::jsonb) AS d(deployment_id text, model text, environment text,
           version text, canary_version text, canary_percent int, strategy text, approval_id text,
           deployed_by text, updated_at timestamptz, last_revision bigint)
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
    },

    DeploymentPromoted: async (events, { manager }) => {
      await recordHistory(manager, events, ({ data: d }) => ({
        version: d.version,
        fromVersion: d.previousVersion,
        toVersion: d.version,
        actor: d.promotedBy,
        at: d.promotedAt,
      }));
      const rows = newestBy(events, byDeployment).map(({ data: d, revision }) => ({
        deployment_id: d.deploymentId,
        version: d.version,
        deployed_by: d.promotedBy,
        updated_at: d.promotedAt,
        revision,
      }));
      await manager.query(
        `UPDATE deployments SET version = p.version, canary_version = NULL, canary_percent = NULL,
           strategy = 'full', deployed_by = p.deployed_by, updated_at = p.updated_at,
           last_revision = p.revision
         FROM jsonb_to_recordset($1::jsonb) AS p(deployment_id text, version text,
           deployed_by text, updated_at timestamptz, revision bigint)
         WHERE deployments.deployment_id = p.deployment_id
           AND deployments.last_revision < p.revision`,
        [recordset(rows)],
      );
    },

    DeploymentRolledBack: async (events, { manager }) => {
      await recordHistory(manager, events, ({ data: d }) => ({
        version: d.fromVersion,
        fromVersion: d.fromVersion,
        toVersion: d.toVersion,
        reason: d.reason,
        automatic: d.automatic,
        actor: d.rolledBackBy,
        at: d.rolledBackAt,
      }));
      const rows = newestBy(events, byDeployment).map(({ data: d, revision }) => ({
        deployment_id: d.deploymentId,
        to_version: d.toVersion,
        deployed_by: d.rolledBackBy,
        updated_at: d.rolledBackAt,
        revision,
      }));
      // The version serving again keeps the approval it was deployed on.
      await manager.query(
        `UPDATE deployments SET version = r.to_version, canary_version = NULL,
           canary_percent = NULL, strategy = 'full',
           status = CASE WHEN r.to_version IS NULL THEN 'inactive' ELSE 'active' END,
           approval_id = (SELECT h.approval_id FROM deployment_history h
                          WHERE h.deployment_id = r.deployment_id
                            AND h.event_type = 'ModelDeployed'
                            AND h.version = r.to_version AND h.revision < r.revision
                          ORDER BY h.revision DESC LIMIT 1),
           deployed_by = r.deployed_by, updated_at = r.updated_at, last_revision = r.revision
         FROM jsonb_to_recordset($1::jsonb) AS r(deployment_id text, to_version text,
           deployed_by text, updated_at timestamptz, revision bigint)
         WHERE deployments.deployment_id = r.deployment_id
           AND deployments.last_revision < r.revision`,
        [recordset(rows)],
      );
    },

    DeploymentRetired: async (events, { manager }) => {
      await recordHistory(manager, events, ({ data: d }) => ({
        version: d.version,
        fromVersion: d.version,
        toVersion: null,
        reason: d.reason,
        actor: d.retiredBy,
        at: d.retiredAt,
      }));
      const rows = newestBy(events, byDeployment).map(({ data: d, revision }) => ({
        deployment_id: d.deploymentId,
        deployed_by: d.retiredBy,
        updated_at: d.retiredAt,
        revision,
      }));
      await manager.query(
        `UPDATE deployments SET version = NULL, canary_version = NULL, canary_percent = NULL,
           strategy = 'full', status = 'retired', approval_id = NULL,
           deployed_by = r.deployed_by, updated_at = r.updated_at, last_revision = r.revision
         FROM jsonb_to_recordset($1::jsonb) AS r(deployment_id text, deployed_by text,
           updated_at timestamptz, revision bigint)
         WHERE deployments.deployment_id = r.deployment_id
           AND deployments.last_revision < r.revision`,
        [recordset(rows)],
      );
    },
  };
}

/** One history row per event of the run, in one statement; a row already there stays. */
async function recordHistory<E extends DeploymentEvent>(
  manager: EntityManager,
  events: readonly Recorded<E>[],
  entryOf: (event: Recorded<E>) => HistoryEntry,
): Promise<void> {
  const rows = events.map((event) => {
    const entry = entryOf(event);
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
  });
  await manager.query(
    `INSERT INTO deployment_history (deployment_id, revision, event_type, version, from_version,
       to_version, strategy, canary_percent, approval_id, reason, automatic, actor, at, event_id)
     SELECT deployment_id, revision, event_type, version, from_version, to_version, strategy,
       canary_percent, approval_id, reason, automatic, actor, at, event_id
     FROM jsonb_to_recordset($1::jsonb) AS h(deployment_id text, revision bigint, event_type text,
       version text, from_version text, to_version text, strategy text, canary_percent int,
       approval_id text, reason text, automatic boolean, actor text, at timestamptz,
       event_id uuid)
     ON CONFLICT (deployment_id, revision) DO NOTHING`,
    [recordset(rows)],
  );
}
