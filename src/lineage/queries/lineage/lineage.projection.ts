import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  DatasetVersionRegistered,
  DatasetVersionRetired,
} from '../../../datasets/dataset.events';
import type { DeploymentEvent } from '../../../deployments/deployment.events';
import { unhandled } from '../../../ledger/commands/decider';
import type { JsonObject, RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import type { ModelEvent } from '../../../model-registry/model.events';
import type { PredictionBatchRecorded } from '../../../predictions/prediction.events';
import type { TrainingRunEvent } from '../../../training-runs/training-run.events';
import { type LineageNodeRef, type LineageRelation, versionNodeId } from '../../lineage-graph';

/** The events that create or change a node or an edge of the graph. */
type LineageEvent =
  | DatasetVersionRegistered
  | DatasetVersionRetired
  | TrainingRunEvent
  | ModelEvent
  | DeploymentEvent
  | PredictionBatchRecorded;

export const LINEAGE_EVENT_TYPES = [
  'DatasetVersionRegistered',
  'DatasetVersionRetired',
  'TrainingRunStarted',
  'TrainingRunCompleted',
  'TrainingRunFailed',
  'ModelVersionRegistered',
  'ModelCardUpdated',
  'ModelEvaluated',
  'ModelVersionRetired',
  'ModelDeployed',
  'DeploymentPromoted',
  'DeploymentRolledBack',
  'DeploymentRetired',
  'PredictionBatchRecorded',
] as const satisfies readonly LineageEvent['type'][];

/** `create` may start a node; `update` only changes one already recorded. */
type Change = { node: LineageNodeRef; facts: JsonObject; mode: 'create' | 'update' };

/**
 * The lineage graph, across every capability. Each node's facts come from its own stream, so
 * the stream revision orders its history; every statement is keyed by event, node or edge and
 * does nothing the second time, so a replayed event changes nothing.
 */
@Injectable()
@ReadModelProjection()
export class LineageProjection implements Projection {
  readonly name = 'lineage';
  readonly eventTypes = LINEAGE_EVENT_TYPES;
  readonly tables = ['lineage_nodes', 'lineage_node_facts', 'lineage_edges'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as LineageEvent;
    switch (event.type) {
      case 'DatasetVersionRegistered': {
        const d = event.data;
        const node = dataset(d.name, d.version);
        await this.change(manager, recorded, {
          node,
          mode: 'create',
          facts: {
            name: d.name,
            version: d.version,
            contentHash: d.contentHash,
            rows: d.rows,
            region: d.region,
            containsPersonalInformation: d.containsPersonalInformation,
            containsSensitiveInformation: d.containsSensitiveInformation,
            status: 'active',
          },
        });
        for (const parent of d.parents)
          await this.link(
            manager,
            recorded,
            dataset(parent.name, parent.version),
            node,
            'derived-into',
          );
        return;
      }
      case 'DatasetVersionRetired':
        await this.change(manager, recorded, {
          node: dataset(event.data.name, event.data.version),
          mode: 'update',
          facts: { status: 'retired' },
        });
        return;
      case 'TrainingRunStarted': {
        const d = event.data;
        const node = run(d.runId);
        await this.change(manager, recorded, {
          node,
          mode: 'create',
          facts: {
            model: d.model,
            status: 'running',
            codeRepository: d.code.repository,
            codeCommit: d.code.commit,
            algorithm: d.algorithm,
            artifactDigest: null,
          },
        });
        for (const used of d.datasetVersions)
          await this.link(manager, recorded, dataset(used.name, used.version), node, 'trained');
        return;
      }
      case 'TrainingRunCompleted':
        await this.change(manager, recorded, {
          node: run(event.data.runId),
          mode: 'update',
          facts: { status: 'completed', artifactDigest: event.data.artifact.digest },
        });
        return;
      case 'TrainingRunFailed':
        await this.change(manager, recorded, {
          node: run(event.data.runId),
          mode: 'update',
          facts: { status: 'failed' },
        });
        return;
      case 'ModelVersionRegistered': {
        const d = event.data;
        const node = modelVersion(d.model, d.version);
        await this.change(manager, recorded, {
          node,
          mode: 'create',
          facts: {
            model: d.model,
            version: d.version,
            riskTier: d.riskTier,
            decisionClass: d.decisionClass,
            artifactDigest: d.artifactDigest,
            personalInformationKinds: d.personalInformationKinds,
            status: 'registered',
          },
        });
        await this.link(manager, recorded, run(d.runId), node, 'produced');
        return;
      }
      case 'ModelCardUpdated': {
        const kinds = event.data.changes.personalInformationKinds;
        // Only the card's personal-information kinds are a lineage fact.
        if (kinds === undefined) return;
        await this.change(manager, recorded, {
          node: modelVersion(event.data.model, event.data.version),
          mode: 'update',
          facts: { personalInformationKinds: kinds },
        });
        return;
      }
      case 'ModelEvaluated': {
        const d = event.data;
        await this.link(
          manager,
          recorded,
          dataset(d.datasetVersion.name, d.datasetVersion.version),
          modelVersion(d.model, d.version),
          'evaluated',
        );
        return;
      }
      case 'ModelVersionRetired':
        await this.change(manager, recorded, {
          node: modelVersion(event.data.model, event.data.version),
          mode: 'update',
          facts: { status: 'retired' },
        });
        return;
      case 'ModelDeployed': {
        const d = event.data;
        const node = deployment(d.deploymentId);
        const canary = d.strategy === 'canary';
        await this.change(manager, recorded, {
          node,
          mode: 'create',
          facts: {
            model: d.model,
            environment: d.environment,
            version: canary ? d.previousVersion : d.version,
            canaryVersion: canary ? d.version : null,
            canaryPercent: canary ? d.canaryPercent : null,
            status: 'active',
            approvalId: d.approvalId,
          },
        });
        await this.link(manager, recorded, modelVersion(d.model, d.version), node, 'deployed-to');
        return;
      }
      case 'DeploymentPromoted':
        await this.change(manager, recorded, {
          node: deployment(event.data.deploymentId),
          mode: 'update',
          facts: { version: event.data.version, canaryVersion: null, canaryPercent: null },
        });
        return;
      case 'DeploymentRolledBack': {
        const d = event.data;
        const node = deployment(d.deploymentId);
        await this.change(manager, recorded, {
          node,
          mode: 'update',
          facts: {
            version: d.toVersion,
            canaryVersion: null,
            canaryPercent: null,
            status: d.toVersion === null ? 'inactive' : 'active',
            approvalId:
              d.toVersion === null
                ? null
                : await this.approvalOfRollout(manager, node, d.toVersion, recorded.revision),
          },
        });
        if (d.toVersion !== null)
          await this.link(
            manager,
            recorded,
            modelVersion(d.model, d.toVersion),
            node,
            'restored-to',
          );
        return;
      }
      case 'DeploymentRetired':
        await this.change(manager, recorded, {
          node: deployment(event.data.deploymentId),
          mode: 'update',
          facts: {
            version: null,
            canaryVersion: null,
            canaryPercent: null,
            status: 'retired',
            approvalId: null,
          },
        });
        return;
      case 'PredictionBatchRecorded': {
        const d = event.data;
        const node: LineageNodeRef = { kind: 'prediction-batch', id: d.batchId };
        await this.change(manager, recorded, {
          node,
          mode: 'create',
          facts: {
            deploymentId: d.deploymentId,
            model: d.model,
            version: d.version,
            environment: d.environment,
            count: d.count,
            window: d.window,
            inputDigest: d.inputDigest,
          },
        });
        await this.link(manager, recorded, deployment(d.deploymentId), node, 'scored');
        await this.link(manager, recorded, modelVersion(d.model, d.version), node, 'scored');
        return;
      }
      case 'ModelArtifactStored':
        // Not among LINEAGE_EVENT_TYPES: the file is the registered digest, already a fact.
        return;
      default:
        unhandled(event);
    }
  }

  /** Merges the facts into the node, then keeps the node's facts as they stand after this event. */
  private async change(
    manager: EntityManager,
    recorded: RecordedEvent,
    { node, facts, mode }: Change,
  ): Promise<void> {
    const merge = `facts = lineage_nodes.facts || $3::jsonb,
        created_event_ids = lineage_nodes.created_event_ids || $4::uuid`;
    const guard = `NOT ($4::uuid = ANY (lineage_nodes.created_event_ids))`;
    if (mode === 'create')
      await manager.query(
        `INSERT INTO lineage_nodes (kind, id, facts, created_event_ids, created_at)
         VALUES ($1, $2, $3::jsonb, ARRAY[$4::uuid], $5)
         ON CONFLICT (kind, id) DO UPDATE SET ${merge} WHERE ${guard}`,
        [node.kind, node.id, JSON.stringify(facts), recorded.id, recorded.metadata.occurredAt],
      );
    else
      await manager.query(
        `UPDATE lineage_nodes SET ${merge} WHERE kind = $1 AND id = $2 AND ${guard}`,
        [node.kind, node.id, JSON.stringify(facts), recorded.id],
      );
    await manager.query(
      `INSERT INTO lineage_node_facts (kind, id, revision, event_id, event_type, occurred_at, facts)
       SELECT kind, id, $3, $4, $5, $6, facts FROM lineage_nodes WHERE kind = $1 AND id = $2
       ON CONFLICT (kind, id, revision) DO NOTHING`,
      [
        node.kind,
        node.id,
        recorded.revision.toString(),
        recorded.id,
        recorded.type,
        recorded.metadata.occurredAt,
      ],
    );
  }

  /** The first event that joined two nodes by a relation dates the edge; later ones add nothing. */
  private async link(
    manager: EntityManager,
    recorded: RecordedEvent,
    from: LineageNodeRef,
    to: LineageNodeRef,
    relation: LineageRelation,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO lineage_edges (from_kind, from_id, to_kind, to_id, relation, event_id, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (from_kind, from_id, to_kind, to_id, relation) DO NOTHING`,
      [from.kind, from.id, to.kind, to.id, relation, recorded.id, recorded.metadata.occurredAt],
    );
  }

  /** A version serving again rests on the approval it was last rolled out with. */
  private async approvalOfRollout(
    manager: EntityManager,
    node: LineageNodeRef,
    version: string,
    before: bigint,
  ): Promise<string | null> {
    const rows = (await manager.query(
      `SELECT facts->>'approvalId' AS approval_id FROM lineage_node_facts
       WHERE kind = $1 AND id = $2 AND event_type = 'ModelDeployed' AND revision < $4
         AND COALESCE(facts->>'canaryVersion', facts->>'version') = $3
       ORDER BY revision DESC LIMIT 1`,
      [node.kind, node.id, version, before.toString()],
    )) as { approval_id: string | null }[];
    return rows[0]?.approval_id ?? null;
  }
}

const dataset = (name: string, version: string): LineageNodeRef => ({
  kind: 'dataset-version',
  id: versionNodeId(name, version),
});
const run = (id: string): LineageNodeRef => ({ kind: 'training-run', id });
const modelVersion = (model: string, version: string): LineageNodeRef => ({
  kind: 'model-version',
  id: versionNodeId(model, version),
});
const deployment = (id: string): LineageNodeRef => ({ kind: 'deployment', id });
