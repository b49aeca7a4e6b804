import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LedgerPosition, RecordedEvent } from '../ledger/event-log.port';
import {
  type Projection,
  type ProjectionContext,
  ReadModelProjection,
} from '../ledger/projections/projection';
import { type Hash, leafHash, nodeHash } from './merkle';

/** The newest complete subtree at one level: the left sibling the next node at that level needs. */
type FrontierNode = { index: number; hash: Hash };

/** The tree's right frontier: its size and the newest complete subtree at each level. */
interface Frontier {
  size: number;
  nodes: (FrontierNode | undefined)[];
}

/**
 * The integrity log: every event, in ledger order, becomes the next leaf of the Merkle tree
 * (leaf input: the 32 bytes of the event's chain hash, which commits to its whole content).
 * A page is hashed in memory from the tree's right frontier (the newest complete subtree of
 * each level: every left sibling a new leaf can need), and its leaves and the complete subtrees
 * they complete are written by one statement. The frontier is kept across pages, trusted only
 * for a page that starts where the frontier was computed; otherwise (at start, after a rolled
 * back page, after another process moved the checkpoint) the size and the frontier are read
 * first, in one statement.
 */
@Injectable()
@ReadModelProjection()
export class IntegrityLogProjection implements Projection {
  readonly name = 'integrity-log';
  readonly tables = ['integrity_leaves', 'integrity_subtrees'];

  /** The frontier as it stands after the page that ended at `at` (if that page committed). */
  private cached?: { at: LedgerPosition; frontier: Frontier };

  async applyPage(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void> {
    const { manager, from, to } = context;
    const cached = this.cached;
    // Forgotten until this page is written: a page that fails leaves nothing to trust.
    this.cached = undefined;
    const trusted = cached !== undefined && from !== null && cached.at === from;
    if (events.length === 0) {
      if (trusted) this.cached = { at: to, frontier: cached.frontier };
      return;
    }
    let frontier: Frontier;
    let fresh = events;
    if (trusted) {
      frontier = cached.frontier;
    } else {
      const stored = await readFrontier(
        manager,
        events.map((event) => event.id),
      );
      frontier = stored.frontier;
      // Events already in the tree (a page applied again) are not appended twice.
      if (stored.present.size > 0) fresh = events.filter((event) => !stored.present.has(event.id));
    }
    const next: Frontier = { size: frontier.size, nodes: [...frontier.nodes] };
    if (fresh.length > 0) await appendLeaves(manager, next, fresh);
    this.cached = { at: to, frontier: next };
  }
}

/**
 * The tree's size, its right frontier (for each set bit L of the size, the complete subtree
 * (L, ⌊size / 2^L⌋ − 1)) and which of `eventIds` are leaves already: one statement.
 */
async function readFrontier(
  manager: EntityManager,
  eventIds: readonly string[],
): Promise<{ frontier: Frontier; present: Set<string> }> {
  const rows = (await manager.query(
    `WITH tree AS (SELECT COALESCE(MAX(leaf_index) + 1, 0) AS size FROM integrity_leaves)
     SELECT 'size' AS row, NULL::smallint AS level, tree.size AS index, NULL::bytea AS hash,
            NULL::uuid AS event_id
       FROM tree
     UNION ALL
     SELECT 'node', s.level, s.index, s.hash, NULL
       FROM tree CROSS JOIN generate_series(0, 62) AS g(level)
       JOIN integrity_subtrees s ON s.level = g.level AND s.index = (tree.size >> g.level) - 1
      WHERE (tree.size >> g.level) & 1 = 1
     UNION ALL
     SELECT 'present', NULL, NULL, NULL, l.event_id
       FROM integrity_leaves l WHERE l.event_id = ANY($1::uuid[])`,
    [eventIds],
  )) as {
    row: string;
    level: number | null;
    index: string | null;
    hash: Buffer | null;
    event_id: string | null;
  }[];
  const frontier: Frontier = { size: 0, nodes: [] };
  const present = new Set<string>();
  for (const row of rows) {
    if (row.row === 'size') frontier.size = Number(row.index);
    else if (row.row === 'node' && row.level !== null && row.hash)
      frontier.nodes[row.level] = { index: Number(row.index), hash: row.hash };
    else if (row.event_id) present.add(row.event_id);
  }
  return { frontier, present };
}

/**
 * Appends the events as the next leaves: each leaf and every complete subtree it completes
 * (the leaf itself, then each parent for as long as the new node is a right child), hashed
 * against the frontier, which moves along. Leaves and subtrees are written by one statement; an
 * event already a leaf stops it (the page is then read again from the store: see applyPage).
 */
async function appendLeaves(
  manager: EntityManager,
  frontier: Frontier,
  events: readonly RecordedEvent[],
): Promise<void> {
  const leaves = {
    index: [] as number[],
    eventId: [] as string[],
    type: [] as string[],
    stream: [] as string[],
    revision: [] as string[],
    position: [] as string[],
    hash: [] as string[],
    occurredAt: [] as string[],
  };
  const subtrees = { level: [] as number[], index: [] as number[], hash: [] as Hash[] };
  const { nodes } = frontier;
  for (const event of events) {
    const leafIndex = frontier.size++;
    const eventHash = event.metadata.integrity.hash;
    leaves.index.push(leafIndex);
    leaves.eventId.push(event.id);
    leaves.type.push(event.type);
    leaves.stream.push(event.stream);
    leaves.revision.push(event.revision.toString());
    leaves.position.push(event.position);
    leaves.hash.push(eventHash);
    leaves.occurredAt.push(event.metadata.occurredAt);

    let hash = leafHash(Buffer.from(eventHash, 'hex'));
    let level = 0;
    let index = leafIndex;
    subtrees.level.push(level);
    subtrees.index.push(index);
    subtrees.hash.push(hash);
    while (index % 2 === 1) {
      const left = nodes[level];
      if (left?.index !== index - 1) {
        throw new Error(`integrity subtree ${level}/${index - 1} is missing`);
      }
      nodes[level] = { index, hash };
      hash = nodeHash(left.hash, hash);
      index = (index - 1) / 2;
      level++;
      subtrees.level.push(level);
      subtrees.index.push(index);
      subtrees.hash.push(hash);
    }
    nodes[level] = { index, hash };
  }

  const [written] = (await manager.query(
    `WITH leaves AS (
       INSERT INTO integrity_leaves
         (leaf_index, event_id, event_type, stream, revision, position, event_hash, occurred_at)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::bigint[],
                            $6::text[], $7::text[], $8::timestamptz[])
       ON CONFLICT DO NOTHING
       RETURNING 1),
     subtrees AS (
       INSERT INTO integrity_subtrees (level, index, hash)
       SELECT * FROM unnest($9::smallint[], $10::bigint[], $11::bytea[])
       WHERE (SELECT count(*) FROM leaves) = $12
       RETURNING 1)
     SELECT (SELECT count(*) FROM leaves)::int AS leaves`,
    [
      leaves.index,
      leaves.eventId,
      leaves.type,
      leaves.stream,
      leaves.revision,
      leaves.position,
      leaves.hash,
      leaves.occurredAt,
      subtrees.level,
      subtrees.index,
      subtrees.hash,
      events.length,
    ],
  )) as { leaves: number }[];
  if (written.leaves !== events.length) {
    // The store holds leaves this frontier did not know of: the transaction is rolled back and
    // the page applied again from a frontier read from the store.
    throw new Error(
      `integrity log: ${events.length - written.leaves} of ${events.length} leaves were stored already`,
    );
  }
}
