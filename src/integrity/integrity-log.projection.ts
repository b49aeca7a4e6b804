import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../ledger/projections/projection';
import { IntegrityTree } from './integrity-tree';
import { type Hash, leafHash, nodeHash, subtreesCompletedBy } from './merkle';

/**
 * The integrity log: every event, in ledger order, becomes the next leaf of the Merkle tree
 * (leaf input: the 32 bytes of the event's chain hash, which commits to its whole content).
 * Each append stores the leaf and the complete subtrees it completes, reading at most log n
 * left siblings: two queries per event, whatever the size of the tree.
 */
@Injectable()
@ReadModelProjection()
export class IntegrityLogProjection implements Projection {
  readonly name = 'integrity-log';
  readonly tables = ['integrity_leaves', 'integrity_subtrees'];

  /**
   * The newest subtree written at each level, with the tree size it was written for: the left
   * siblings the next leaf needs are exactly these. A hint only — used when the stored size
   * agrees, so a rolled-back batch or another runner never makes it wrong.
   */
  private frontier: { size: number; nodes: Map<number, { index: number; hash: Hash }> } = {
    size: -1,
    nodes: new Map(),
  };

  async apply(event: RecordedEvent, manager: EntityManager): Promise<void> {
    const tree = new IntegrityTree(manager);
    const index = await tree.size();
    if (this.frontier.size !== index) this.frontier = { size: index, nodes: new Map() };

    const completed = subtreesCompletedBy(index);
    const known = this.frontier.nodes;
    const missing = completed.filter(
      ({ leftSibling }) => known.get(leftSibling.level)?.index !== leftSibling.index,
    );
    if (missing.length > 0) {
      const stored = await tree.subtrees(missing.map((m) => m.leftSibling));
      for (const { leftSibling } of missing) {
        const hash = stored.get(`${leftSibling.level}/${leftSibling.index}`);
        if (hash) known.set(leftSibling.level, { index: leftSibling.index, hash });
      }
    }

    const written: { level: number; index: number; hash: Hash }[] = [
      { level: 0, index, hash: leafHash(Buffer.from(event.metadata.integrity.hash, 'hex')) },
    ];
    for (const { node, leftSibling } of completed) {
      const left = known.get(leftSibling.level);
      if (left?.index !== leftSibling.index) {
        throw new Error(`integrity subtree ${leftSibling.level}/${leftSibling.index} is missing`);
      }
      written.push({ ...node, hash: nodeHash(left.hash, written[written.length - 1].hash) });
    }

    await manager.query(
      `WITH leaf AS (
         INSERT INTO integrity_leaves
           (leaf_index, event_id, event_type, stream, revision, position, event_hash, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $11)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING 1)
       INSERT INTO integrity_subtrees (level, index, hash)
       SELECT * FROM unnest($8::smallint[], $9::bigint[], $10::bytea[])
       WHERE EXISTS (SELECT 1 FROM leaf)`,
      [
        index,
        event.id,
        event.type,
        event.stream,
        event.revision.toString(),
        event.position,
        event.metadata.integrity.hash,
        written.map((w) => w.level),
        written.map((w) => w.index),
        written.map((w) => w.hash),
        event.metadata.occurredAt,
      ],
    );
    for (const node of written) known.set(node.level, { index: node.index, hash: node.hash });
    this.frontier.size = index + 1;
  }
}
