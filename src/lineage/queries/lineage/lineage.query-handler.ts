import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DomainError } from '../../../ledger/ledger.errors';
import type { JsonObject } from '../../../ledger/event-log.port';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import type {
  LineageDirection,
  LineageNodeKind,
  LineageNodeRef,
  LineageRelation,
} from '../../lineage-graph';
import {
  standingKey,
  versionStandings,
} from '../../../model-registry/queries/model-registry/version-standing';
import type { LineageBatchMode } from './lineage.request.dto';
import type {
  LineageEdgeView,
  LineageGraphView,
  LineageNodeView,
  PredictionBatchesSummaryView,
} from './lineage.view';

export class GetLineageQuery extends Query<LineageGraphView> {
  constructor(
    readonly root: LineageNodeRef,
    readonly depth: number,
    readonly direction: LineageDirection,
    /** Normalised ISO instant, or null for the graph as recorded now. */
    readonly asOf: string | null,
    readonly limit: number,
    readonly batches: LineageBatchMode = 'summary',
  ) {
    super();
  }
}

/** The node exists in the ledger, but only from after the instant asked about. */
export class NotRecordedAsOf extends DomainError {
  readonly code = 'not-found';
  readonly status = 404;

  constructor(kind: string, id: string, asOf: string) {
    super(`${kind} ${id} was not recorded in the ledger as of ${asOf}`);
    Object.assign(this.details, { kind, id, asOf });
  }
}

type EdgeRow = {
  from_kind: LineageNodeKind;
  from_id: string;
  to_kind: LineageNodeKind;
  to_id: string;
  relation: LineageRelation;
  event_id: string;
  occurred_at: Date;
};

type NodeRow = { kind: LineageNodeKind; id: string; facts: JsonObject; event_ids: string[] };

const BATCH: LineageNodeKind = 'prediction-batch';
/** The kinds a prediction batch hangs from (relation `scored`). */
const SCORERS: LineageNodeKind[] = ['deployment', 'model-version'];

const key = (node: LineageNodeRef) => `${node.kind}\u0000${node.id}`;

/**
 * A breadth-first walk over `lineage_edges`, one query per level and direction, each node once.
 * With `asOf`, edges and node facts recorded (occurredAt) after the instant are left out.
 */
@QueryHandler(GetLineageQuery)
export class GetLineageQueryHandler implements IQueryHandler<GetLineageQuery, LineageGraphView> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(query: GetLineageQuery): Promise<LineageGraphView> {
    const { root, depth, direction, asOf, limit, batches } = query;
    const summarise = batches === 'summary';
    await this.requireRoot(root, asOf);
    const reached = new Map<string, LineageNodeRef>([[key(root), root]]);
    const edges = new Map<string, LineageEdgeView>();
    let truncated = false;
    const walks: ('upstream' | 'downstream')[] =
      direction === 'both' ? ['upstream', 'downstream'] : [direction];
    for (const walk of walks) {
      let frontier: LineageNodeRef[] = [root];
      for (let level = 0; level < depth && frontier.length > 0; level++) {
        const { rows, cut } = await this.edgesFrom(frontier, walk, asOf, limit, summarise);
        truncated ||= cut;
        const next: LineageNodeRef[] = [];
        for (const row of rows) {
          const from: LineageNodeRef = { kind: row.from_kind, id: row.from_id };
          const to: LineageNodeRef = { kind: row.to_kind, id: row.to_id };
          const neighbour = walk === 'downstream' ? to : from;
          if (!reached.has(key(neighbour))) {
            if (reached.size >= limit) {
              truncated = true;
              continue;
            }
            reached.set(key(neighbour), neighbour);
            next.push(neighbour);
          }
          edges.set(`${key(from)}\u0000${key(to)}\u0000${row.relation}`, {
            from,
            to,
            relation: row.relation,
            eventId: row.event_id,
            occurredAt: new Date(row.occurred_at).toISOString(),
          });
        }
        frontier = next;
      }
    }
    return {
      root,
      asOf,
      depth,
      direction,
      truncated,
      nodes: await this.nodes([...reached.values()], asOf, summarise),
      edges: [...edges.values()],
    };
  }

  private async requireRoot(root: LineageNodeRef, asOf: string | null): Promise<void> {
    const rows = (await this.dataSource.query(
      'SELECT created_at FROM lineage_nodes WHERE kind = $1 AND id = $2',
      [root.kind, root.id],
    )) as { created_at: Date }[];
    if (rows.length === 0) throw new NotRecorded(root.kind, root.id);
    if (asOf !== null && new Date(rows[0].created_at).getTime() > Date.parse(asOf))
      throw new NotRecordedAsOf(root.kind, root.id, asOf);
  }

  /** One level of the walk; a level wider than the budget is cut, and says so. */
  private async edgesFrom(
    frontier: LineageNodeRef[],
    walk: 'upstream' | 'downstream',
    asOf: string | null,
    limit: number,
    summarise: boolean,
  ): Promise<{ rows: EdgeRow[]; cut: boolean }> {
    const [near, far] = walk === 'downstream' ? ['from', 'to'] : ['to', 'from'];
    const budget = limit * 4;
    const edgesOf = (range: string) => `SELECT * FROM lineage_edges e
         WHERE e.${near}_kind = f.kind AND e.${near}_id = f.id ${range}
           AND ($3::timestamptz IS NULL OR e.occurred_at <= $3::timestamptz)
         ORDER BY e.${far}_kind, e.${far}_id, e.relation
         LIMIT $4`;
    // Per frontier node, in the order of its index: a node with ten thousand batches is read
    // only as far as the budget, never sorted whole. Summarised, a downstream walk skips the
    // batches' stretch of the index: the kinds before it and after it are two index ranges.
    const skipBatches = summarise && walk === 'downstream';
    const perNode = skipBatches
      ? `(${edgesOf(`AND e.to_kind < '${BATCH}'`)}) UNION ALL (${edgesOf(`AND e.to_kind > '${BATCH}'`)})`
      : edgesOf('');
    const rows = (await this.dataSource.query(
      `SELECT e.from_kind, e.from_id, e.to_kind, e.to_id, e.relation, e.event_id, e.occurred_at
       FROM unnest($1::text[], $2::text[]) AS f(kind, id)
       CROSS JOIN LATERAL (${perNode}) e`,
      [frontier.map((node) => node.kind), frontier.map((node) => node.id), asOf, budget + 1],
    )) as EdgeRow[];
    rows.sort((a, b) => compareEdges(a, b, near, far));
    return { rows: rows.slice(0, budget), cut: rows.length > budget };
  }

  /** Facts and event ids now, or as they stood at `asOf` (from each node's recorded history). */
  private async nodes(
    refs: LineageNodeRef[],
    asOf: string | null,
    summarise: boolean,
  ): Promise<LineageNodeView[]> {
    const kinds = refs.map((node) => node.kind);
    const ids = refs.map((node) => node.id);
    const rows = (await this.dataSource.query(
      asOf === null
        ? `SELECT n.kind, n.id, n.facts, n.created_event_ids::text[] AS event_ids
           FROM lineage_nodes n JOIN unnest($1::text[], $2::text[]) AS r(kind, id)
             ON n.kind = r.kind AND n.id = r.id`
        : // A prediction batch never changes: it has no history rows, its node row is as it was.
          `SELECT h.kind, h.id,
             (array_agg(h.facts ORDER BY h.revision DESC))[1] AS facts,
             array_agg(h.event_id::text ORDER BY h.revision) AS event_ids
           FROM lineage_node_facts h JOIN unnest($1::text[], $2::text[]) AS r(kind, id)
             ON h.kind = r.kind AND h.id = r.id
           WHERE h.occurred_at <= $3::timestamptz AND h.kind <> '${BATCH}'
           GROUP BY h.kind, h.id
           UNION ALL
           SELECT n.kind, n.id, n.facts, n.created_event_ids::text[]
           FROM lineage_nodes n JOIN unnest($1::text[], $2::text[]) AS r(kind, id)
             ON n.kind = r.kind AND n.id = r.id
           WHERE n.kind = '${BATCH}' AND n.created_at <= $3::timestamptz`,
      asOf === null ? [kinds, ids] : [kinds, ids, asOf],
    )) as NodeRow[];
    const found = new Map(rows.map((row) => [key(row), row]));
    await this.withStanding(rows, asOf);
    const scored = summarise ? await this.batchesScoredBy(refs, asOf) : new Map<string, never>();
    return refs.map((node) => {
      const row = found.get(key(node));
      const batches = scored.get(key(node));
      return {
        ...node,
        facts: row?.facts ?? null,
        eventIds: row?.event_ids ?? [],
        ...(batches ? { predictionBatches: batches } : {}),
      };
    });
  }

  /**
   * A model version's status and serving state are not kept in its facts: they come from
   * `versionStandings`, as in the registry's views and the ASIC inventory, at the same instant.
   */
  private async withStanding(rows: NodeRow[], asOf: string | null): Promise<void> {
    const versions = rows.filter(
      (row) =>
        row.kind === 'model-version' &&
        typeof row.facts?.model === 'string' &&
        typeof row.facts.version === 'string',
    );
    if (versions.length === 0) return;
    const models = [...new Set(versions.map((row) => row.facts.model as string))];
    const standings = await versionStandings(
      this.dataSource,
      models,
      asOf === null ? null : new Date(asOf),
    );
    for (const row of versions) {
      const standing = standings.versions.get(
        standingKey(row.facts.model as string, row.facts.version as string),
      );
      if (!standing) continue;
      row.facts = {
        ...row.facts,
        status: standing.status,
        serving: standing.serving,
        firstDeployedAt: standing.firstDeployedAt,
        lastServedUntil: standing.lastServedUntil,
      };
    }
  }

  /** How many prediction batches each deployment or model version scored, by `asOf`. */
  private async batchesScoredBy(
    refs: LineageNodeRef[],
    asOf: string | null,
  ): Promise<Map<string, PredictionBatchesSummaryView>> {
    const scorers = refs.filter((node) => SCORERS.includes(node.kind));
    if (scorers.length === 0) return new Map();
    // Whole UTC days from the projection's tallies; as of an instant, the days before its own
    // and the edges of its own day up to the instant (an index range), so a read costs the
    // days a scorer served, not the batches it scored.
    const rows = (await this.dataSource.query(
      `WITH s(kind, id) AS (SELECT * FROM unnest($1::text[], $2::text[])),
       parts AS (
         SELECT t.kind, t.id, t.batches AS n, t.first_at, t.last_at
           FROM s JOIN lineage_batch_tallies t ON t.kind = s.kind AND t.id = s.id
          WHERE $3::timestamptz IS NULL OR t.day < ($3::timestamptz AT TIME ZONE 'UTC')::date
         UNION ALL
         SELECT s.kind, s.id, count(*), min(e.occurred_at), max(e.occurred_at)
           FROM s JOIN lineage_edges e
             ON e.from_kind = s.kind AND e.from_id = s.id AND e.to_kind = '${BATCH}'
          WHERE $3::timestamptz IS NOT NULL
            AND e.occurred_at >= date_trunc('day', $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            AND e.occurred_at <= $3::timestamptz
          GROUP BY s.kind, s.id)
       SELECT kind, id, sum(n)::int AS count, min(first_at) AS first_at, max(last_at) AS last_at
         FROM parts GROUP BY kind, id HAVING sum(n) > 0`,
      [scorers.map((node) => node.kind), scorers.map((node) => node.id), asOf],
    )) as { kind: LineageNodeKind; id: string; count: number; first_at: Date; last_at: Date }[];
    return new Map(
      rows.map((row) => [
        key(row),
        {
          count: row.count,
          firstRecordedAt: new Date(row.first_at).toISOString(),
          lastRecordedAt: new Date(row.last_at).toISOString(),
        },
      ]),
    );
  }
}

/** The order a level's edges are walked in: by the far node, relation, then the near node. */
function compareEdges(a: EdgeRow, b: EdgeRow, near: string, far: string): number {
  const fields = [`${far}_kind`, `${far}_id`, 'relation', `${near}_kind`, `${near}_id`] as const;
  for (const field of fields) {
    const x = a[field as keyof EdgeRow] as string;
    const y = b[field as keyof EdgeRow] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
