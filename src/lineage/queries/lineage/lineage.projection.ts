import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  DatasetVersionRegistered,
  DatasetVersionRetired,
} from '../../../datasets/dataset.events';
import type { DeploymentEvent } from '../../../deployments/deployment.events';
import type { JsonObject } from '../../../ledger/event-log.port';
import { firstPerKey, keyOf, recordset, waves } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  type ProjectionContext,
  type Recorded,
  ReadModelProjection,
} from '../../../ledger/projections/projection';
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

/** A node's facts as they stand after an event: merged into the node's, kept in its history. */
type Change = {
  node: LineageNodeRef;
  facts: JsonObject;
  /** A deployment serving this version again: its approvalId is the one it was rolled out with. */
  approvalOf?: string;
};

type Link = { from: LineageNodeRef; to: LineageNodeRef; relation: LineageRelation };

/** What one event does to the graph. */
type Effect = { change?: Change; links?: Link[] };

/**
 * `create` may start a node; `update` only changes one already recorded (an event type does
 * either, never both).
 */
type Mode = 'create' | 'update';

/**
 * The lineage graph, across every capability. Each node's facts come from its own stream, so
 * the stream revision orders its history; every statement is keyed by event, node or edge and
 * does nothing the second time, so a replayed event changes nothing. The handlers gather what
 * each run does; a page is written at its end by one statement (nodes, their history and
 * edges), or one per wave when the page changes a node more than once.
 */
@Injectable()
@ReadModelProjection()
export class LineageProjection extends DeclaredProjection<LineageEvent, LineagePage> {
  readonly name = 'lineage';
  readonly tables = [
    'lineage_nodes',
    'lineage_node_facts',
    'lineage_edges',
    'lineage_batch_tallies',
  ];

  protected readonly handlers: Handlers<LineageEvent, LineagePage> = {
    DatasetVersionRegistered: (events, _context, page) =>
      page.add(events, 'create', ({ data: d }) => {
        const node = dataset(d.name, d.version);
        return {
          change: {
            node,
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
          },
          links: d.parents.map((parent) => ({
            from: dataset(parent.name, parent.version),
            to: node,
            relation: 'derived-into',
          })),
        };
      }),
    DatasetVersionRetired: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => ({
        change: { node: dataset(d.name, d.version), facts: { status: 'retired' } },
      })),
    TrainingRunStarted: (events, _context, page) =>
      page.add(events, 'create', ({ data: d }) => {
        const node = run(d.runId);
        return {
          change: {
            node,
            facts: {
              model: d.model,
              status: 'running',
              codeRepository: d.code.repository,
              codeCommit: d.code.commit,
              algorithm: d.algorithm,
              artifactDigest: null,
            },
          },
          links: d.datasetVersions.map((used) => ({
            from: dataset(used.name, used.version),
            to: node,
            relation: 'trained',
          })),
        };
      }),
    TrainingRunCompleted: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => ({
        change: {
          node: run(d.runId),
          facts: { status: 'completed', artifactDigest: d.artifact.digest },
        },
      })),
    TrainingRunFailed: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => ({
        change: { node: run(d.runId), facts: { status: 'failed' } },
      })),
    ModelVersionRegistered: (events, _context, page) =>
      page.add(events, 'create', ({ data: d }) => {
        const node = modelVersion(d.model, d.version);
        return {
          change: {
            node,
            facts: {
              model: d.model,
              version: d.version,
              riskTier: d.riskTier,
              decisionClass: d.decisionClass,
              artifactDigest: d.artifactDigest,
              personalInformationKinds: d.personalInformationKinds,
              status: 'registered',
            },
          },
          links: [{ from: run(d.runId), to: node, relation: 'produced' }],
        };
      }),
    ModelCardUpdated: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => {
        const kinds = d.changes.personalInformationKinds;
        // Only the card's personal-information kinds are a lineage fact.
        if (kinds === undefined) return {};
        return {
          change: {
            node: modelVersion(d.model, d.version),
            facts: { personalInformationKinds: kinds },
          },
        };
      }),
    ModelEvaluated: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => ({
        links: [
          {
            from: dataset(d.datasetVersion.name, d.datasetVersion.version),
            to: modelVersion(d.model, d.version),
            relation: 'evaluated',
          },
        ],
      })),
    ModelVersionRetired: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => ({
        change: { node: modelVersion(d.model, d.version), facts: { status: 'retired' } },
      })),
    // ModelArtifactStored is not handled: the file is the registered digest, already a fact.
    ModelDeployed: (events, _context, page) =>
      page.add(events, 'create', ({ data: d }) => {
        const node = deployment(d.deploymentId);
        const canary = d.strategy === 'canary';
        return {
          change: {
            node,
            facts: {
              model: d.model,
              environment: d.environment,
              version: canary ? d.previousVersion : d.version,
              canaryVersion: canary ? d.version : null,
              canaryPercent: canary ? d.canaryPercent : null,
              status: 'active',
              approvalId: d.approvalId,
            },
          },
          links: [{ from: modelVersion(d.model, d.version), to: node, relation: 'deployed-to' }],
        };
      }),
    DeploymentPromoted: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => ({
        change: {
          node: deployment(d.deploymentId),
          facts: { version: d.version, canaryVersion: null, canaryPercent: null },
        },
      })),
    DeploymentRolledBack: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => {
        const node = deployment(d.deploymentId);
        return {
          change: {
            node,
            facts: {
              version: d.toVersion,
              canaryVersion: null,
              canaryPercent: null,
              status: d.toVersion === null ? 'inactive' : 'active',
              approvalId: null,
            },
            // A version serving again rests on the approval it was last rolled out with.
            approvalOf: d.toVersion ?? undefined,
          },
          links:
            d.toVersion === null
              ? []
              : [{ from: modelVersion(d.model, d.toVersion), to: node, relation: 'restored-to' }],
        };
      }),
    DeploymentRetired: (events, _context, page) =>
      page.add(events, 'update', ({ data: d }) => ({
        change: {
          node: deployment(d.deploymentId),
          facts: {
            version: null,
            canaryVersion: null,
            canaryPercent: null,
            status: 'retired',
            approvalId: null,
          },
        },
      })),
    // The bulk of a ledger: a node, never changed, and two edges each; written in a shape of its
    // own (BatchRow), a third of the bytes of a node change and its edges.
    PredictionBatchRecorded: (events, _context, page) => page.addBatches(events),
  };

  protected override openPage(): LineagePage {
    return new LineagePage();
  }

  protected override closePage(page: LineagePage, { manager }: ProjectionContext): Promise<void> {
    return page.flush(manager);
  }
}

/** One node change as the statement reads it. */
interface ChangeRow {
  mode: Mode;
  kind: string;
  id: string;
  facts: JsonObject;
  event_id: string;
  event_type: string;
  revision: string;
  occurred_at: string;
  approval_of: string | null;
}

/** A prediction batch as the statement reads it: its node, and the edges from its scorers. */
interface BatchRow {
  id: string;
  deployment_id: string;
  version_id: string;
  facts: JsonObject;
  event_id: string;
  occurred_at: string;
}

/** One edge as the statement reads it. */
interface EdgeRow {
  from_kind: string;
  from_id: string;
  to_kind: string;
  to_id: string;
  relation: LineageRelation;
  event_id: string;
  occurred_at: string;
}

/**
 * What a page does to the graph, gathered run by run in ledger order and written at its end:
 * one statement per wave of node changes (each node at most once a wave, its changes in order;
 * the changes of different nodes do not depend on each other), the edges with the first.
 */
class LineagePage {
  private readonly changes: ChangeRow[] = [];
  private readonly edges: EdgeRow[] = [];
  private readonly batches: BatchRow[] = [];

  addBatches(events: readonly Recorded<PredictionBatchRecorded>[]): void {
    for (const { id, data: d, metadata } of events)
      this.batches.push({
        id: d.batchId,
        deployment_id: deployment(d.deploymentId).id,
        version_id: modelVersion(d.model, d.version).id,
        facts: {
          deploymentId: d.deploymentId,
          model: d.model,
          version: d.version,
          environment: d.environment,
          count: d.count,
          window: d.window,
          inputDigest: d.inputDigest,
        },
        event_id: id,
        occurred_at: metadata.occurredAt,
      });
  }

  add<E extends LineageEvent>(
    events: readonly Recorded<E>[],
    mode: Mode,
    effectOf: (event: Recorded<E>) => Effect,
  ): Promise<void> {
    for (const event of events) {
      const { change, links = [] } = effectOf(event);
      const occurredAt = event.metadata.occurredAt;
      if (change)
        this.changes.push({
          mode,
          kind: change.node.kind,
          id: change.node.id,
          facts: change.facts,
          event_id: event.id,
          event_type: event.type,
          revision: event.revision.toString(),
          occurred_at: occurredAt,
          approval_of: change.approvalOf ?? null,
        });
      for (const { from, to, relation } of links)
        this.edges.push({
          from_kind: from.kind,
          from_id: from.id,
          to_kind: to.kind,
          to_id: to.id,
          relation,
          event_id: event.id,
          occurred_at: occurredAt,
        });
    }
    return Promise.resolve();
  }

  async flush(manager: EntityManager): Promise<void> {
    const changeWaves = waves(this.changes, (change) => keyOf(change.kind, change.id));
    // The first event that joined two nodes by a relation dates the edge.
    let edges = firstPerKey(this.edges, (edge) =>
      keyOf(edge.from_kind, edge.from_id, edge.to_kind, edge.to_id, edge.relation),
    );
    let batches: BatchRow[] = this.batches;
    if (changeWaves.length === 0 && (edges.length > 0 || batches.length > 0)) changeWaves.push([]);
    for (const changes of changeWaves) {
      await writeWave(manager, changes, edges, batches);
      edges = [];
      batches = [];
    }
  }
}

/**
 * A node change merges the facts into the node unless the node already holds the event (a
 * replay); `create` may start the node, `update` only changes one already recorded.
 */
const MERGE_UNLESS_HELD = `ON CONFLICT (kind, id) DO UPDATE SET
         facts = lineage_nodes.facts || EXCLUDED.facts,
         created_event_ids = lineage_nodes.created_event_ids || EXCLUDED.created_event_ids
       WHERE NOT (EXCLUDED.created_event_ids[1] = ANY (lineage_nodes.created_event_ids))`;
const CREATED = `INSERT INTO lineage_nodes (kind, id, facts, created_event_ids, created_at)
       SELECT kind, id, facts, ARRAY[event_id], occurred_at FROM changes WHERE mode = 'create'
       ${MERGE_UNLESS_HELD}`;
const UPDATED = `UPDATE lineage_nodes n SET
         facts = n.facts || c.facts,
         created_event_ids = n.created_event_ids || c.event_id
       FROM changes c
       WHERE c.mode = 'update' AND n.kind = c.kind AND n.id = c.id
         AND NOT (c.event_id = ANY (n.created_event_ids))`;

/**
 * The batches each deployment and model version scored, per UTC day: only edges this statement
 * inserted count (an edge already there is a replay), so a tally never counts a batch twice.
 */
const TALLIED = `INSERT INTO lineage_batch_tallies AS t (kind, id, day, batches, first_at, last_at)
       SELECT from_kind, from_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*),
              min(occurred_at), max(occurred_at)
         FROM linked WHERE to_kind = 'prediction-batch'
        GROUP BY 1, 2, 3
       ON CONFLICT (kind, id, day) DO UPDATE SET
         batches = t.batches + EXCLUDED.batches,
         first_at = least(t.first_at, EXCLUDED.first_at),
         last_at = greatest(t.last_at, EXCLUDED.last_at)`;

/**
 * One wave: node changes (each node once), each with its history row (keyed by stream revision),
 * and edges. Each node appears once in a wave, so its facts after the change are its facts before
 * the statement (read per change through the primary key) merged with the change's: the history
 * row needs no join of the changes with the rows the statement wrote, a join whose size the
 * planner cannot see and so ran as a nested loop, quadratic in the page.
 */
async function writeWave(
  manager: EntityManager,
  changes: readonly ChangeRow[],
  edges: readonly EdgeRow[],
  batches: readonly BatchRow[],
): Promise<void> {
  await manager.query(
    `WITH input AS (
       SELECT c.mode, c.kind, c.id, c.event_id, c.event_type, c.revision, c.occurred_at,
              CASE WHEN c.approval_of IS NULL THEN c.facts
                   ELSE c.facts || jsonb_build_object('approvalId', (
                     SELECT h.facts->>'approvalId' FROM lineage_node_facts h
                      WHERE h.kind = c.kind AND h.id = c.id AND h.event_type = 'ModelDeployed'
                        AND h.revision < c.revision
                        AND COALESCE(h.facts->>'canaryVersion', h.facts->>'version') = c.approval_of
                      ORDER BY h.revision DESC LIMIT 1))
              END AS facts
         FROM jsonb_to_recordset($1::jsonb) AS c(mode text, kind text, id text, facts jsonb,
              event_id uuid, event_type text, revision bigint, occurred_at timestamptz,
              approval_of text)),
     changes AS (
       SELECT i.*,
              (SELECT n.facts FROM lineage_nodes n WHERE n.kind = i.kind AND n.id = i.id) AS prior,
              EXISTS (SELECT 1 FROM lineage_nodes n WHERE n.kind = i.kind AND n.id = i.id
                         AND i.event_id = ANY (n.created_event_ids)) AS held
         FROM input i),
     created AS (${CREATED}),
     updated AS (${UPDATED}),
     batches AS (
       SELECT * FROM json_to_recordset($3::json) AS b(id text, deployment_id text, version_id text,
         facts jsonb, event_id uuid, occurred_at timestamptz)),
     batch_nodes AS (
       -- As CREATED does for any node: a batch node is created by its one event.
       INSERT INTO lineage_nodes (kind, id, facts, created_event_ids, created_at)
       SELECT '${BATCH}', id, facts, ARRAY[event_id], occurred_at FROM batches
       ${MERGE_UNLESS_HELD}),
     history AS (
       -- The node's facts after the event: as changed now, or as they are (an event applied
       -- again, whose row is already there); none for an update of a node never created. A
       -- prediction batch (batches, above) has none either: created once and never changed, its
       -- node row is its whole history.
       INSERT INTO lineage_node_facts (kind, id, revision, event_id, event_type, occurred_at, facts)
       SELECT kind, id, revision, event_id, event_type, occurred_at,
              CASE WHEN held THEN prior ELSE COALESCE(prior, '{}'::jsonb) || facts END
         FROM changes
        WHERE prior IS NOT NULL OR mode = 'create'
       ON CONFLICT (kind, id, revision) DO NOTHING),
     linked AS (
       INSERT INTO lineage_edges (from_kind, from_id, to_kind, to_id, relation, event_id, occurred_at)
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(from_kind text, from_id text, to_kind text,
         to_id text, relation text, event_id uuid, occurred_at timestamptz)
       UNION ALL
       SELECT scorer.kind, scorer.id, '${BATCH}', b.id, 'scored', b.event_id, b.occurred_at
         FROM batches b
         CROSS JOIN LATERAL (VALUES ('deployment', b.deployment_id),
                                    ('model-version', b.version_id)) AS scorer(kind, id)
       ON CONFLICT (from_kind, from_id, to_kind, to_id, relation) DO NOTHING
       RETURNING from_kind, from_id, to_kind, occurred_at)
     ${TALLIED}`,
    [recordset(changes), recordset(edges), recordset(batches)],
  );
}

const BATCH = 'prediction-batch';

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
