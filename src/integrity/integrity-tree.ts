import {
  type Hash,
  type Subtree,
  type SubtreeLookup,
  consistencyProof,
  inclusionProof,
  rootHash,
  subtreesFor,
} from './merkle';
import { IntegrityViolation } from './integrity-violation';

type Queryable = { query(sql: string, parameters?: unknown[]): Promise<unknown> };

export interface LeafRow {
  leafIndex: number;
  eventId: string;
  eventType: string;
  stream: string;
  revision: number;
  position: string;
  eventHash: string;
}

/**
 * Reads the stored integrity tree (`integrity_leaves`, `integrity_subtrees`). Complete subtrees
 * never change once written, so any tree size up to the current one can be answered at any
 * time, and each answer is one query for the handful of subtrees it needs.
 */
export class IntegrityTree {
  constructor(private readonly db: Queryable) {}

  async size(): Promise<number> {
    const [last] = (await this.db.query(
      'SELECT leaf_index FROM integrity_leaves ORDER BY leaf_index DESC LIMIT 1',
    )) as { leaf_index: string }[];
    return last ? Number(last.leaf_index) + 1 : 0;
  }

  async leafOf(eventId: string): Promise<LeafRow | undefined> {
    const [row] = await this.leavesWhere('event_id = $1', [eventId]);
    return row;
  }

  /** Every leaf of these streams, in ledger order. */
  leavesOfStreams(streams: readonly string[]): Promise<LeafRow[]> {
    return this.leavesWhere('stream = ANY($1)', [streams]);
  }

  /** The leaves of these event types that occurred in [start, end), in ledger order. */
  leavesOfTypes(types: readonly string[], start: string, end: string): Promise<LeafRow[]> {
    return this.leavesWhere('event_type = ANY($1) AND occurred_at >= $2 AND occurred_at < $3', [
      types,
      start,
      end,
    ]);
  }

  /** Leaves [from, to) in order: what a verifier recomputes the tree from. */
  leaves(from: number, to: number): Promise<LeafRow[]> {
    return this.leavesWhere('leaf_index >= $1 AND leaf_index < $2', [from, to]);
  }

  private async leavesWhere(condition: string, parameters: unknown[]): Promise<LeafRow[]> {
    const rows = (await this.db.query(
      `SELECT leaf_index, event_id, event_type, stream, revision, position, event_hash
       FROM integrity_leaves WHERE ${condition} ORDER BY leaf_index`,
      parameters,
    )) as LeafSqlRow[];
    return rows.map(leafRow);
  }

  async root(size: number): Promise<Hash> {
    return this.compute((lookup) => rootHash(size, lookup));
  }

  async inclusionProof(leafIndex: number, size: number): Promise<Hash[]> {
    return this.compute((lookup) => inclusionProof(leafIndex, size, lookup));
  }

  async consistencyProof(from: number, to: number): Promise<Hash[]> {
    return this.compute((lookup) => consistencyProof(from, to, lookup));
  }

  /** Runs a tree computation (proofs, roots) over the subtrees it needs, fetched in one query. */
  async compute<T>(computation: (lookup: SubtreeLookup) => T): Promise<T> {
    const wanted = subtreesFor(computation);
    const found = await this.subtrees(wanted);
    return computation(({ level, index }) => {
      const hash = found.get(`${level}/${index}`);
      if (!hash) {
        throw new IntegrityViolation(`integrity subtree ${level}/${index} is missing`, {
          table: 'integrity_subtrees',
          level,
          index,
        });
      }
      return hash;
    });
  }

  /**
   * Every column of leaves [from, to), in order, with when the event occurred: what the verifier
   * compares with the events themselves.
   */
  async leafRowsToCheck(from: number, to: number): Promise<(LeafRow & { occurredAt: Date })[]> {
    const rows = (await this.db.query(
      `SELECT leaf_index, event_id, event_type, stream, revision, position, event_hash, occurred_at
       FROM integrity_leaves WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index`,
      [from, to],
    )) as (LeafSqlRow & { occurred_at: Date | string })[];
    return rows.map((row) => ({ ...leafRow(row), occurredAt: new Date(row.occurred_at) }));
  }

  /**
   * The stored subtrees that leaves [from, to) complete, at every level, by `level/index`: node
   * (level, index) is complete once leaf (index + 1)·2^level − 1 is in, so at each level it is
   * one range of the primary key.
   */
  async subtreesCompletedIn(from: number, to: number): Promise<Map<string, Hash>> {
    const levels: number[] = [];
    const lows: number[] = [];
    const highs: number[] = [];
    for (let level = 0; 2 ** level <= to; level++) {
      const low = Math.floor(from / 2 ** level);
      const high = Math.floor(to / 2 ** level);
      if (high > low) {
        levels.push(level);
        lows.push(low);
        highs.push(high);
      }
    }
    if (levels.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT s.level, s.index, s.hash FROM unnest($1::smallint[], $2::bigint[], $3::bigint[])
         AS w(level, low, high)
       JOIN integrity_subtrees s ON s.level = w.level AND s.index >= w.low AND s.index < w.high`,
      [levels, lows, highs],
    )) as { level: number; index: string; hash: Buffer }[];
    return new Map(rows.map((row) => [`${row.level}/${Number(row.index)}`, row.hash]));
  }

  /** Stored complete subtrees by `level/index`; the ones not stored are absent. */
  async subtrees(wanted: readonly Subtree[]): Promise<Map<string, Hash>> {
    if (wanted.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT s.level, s.index, s.hash FROM integrity_subtrees s
       JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, index)
         ON s.level = w.level AND s.index = w.index`,
      [wanted.map((s) => s.level), wanted.map((s) => s.index)],
    )) as { level: number; index: string; hash: Buffer }[];
    return new Map(rows.map((row) => [`${row.level}/${Number(row.index)}`, row.hash]));
  }
}

type LeafSqlRow = {
  leaf_index: string;
  event_id: string;
  event_type: string;
  stream: string;
  revision: string;
  position: string;
  event_hash: string;
};

function leafRow(row: LeafSqlRow): LeafRow {
  return {
    leafIndex: Number(row.leaf_index),
    eventId: row.event_id,
    eventType: row.event_type,
    stream: row.stream,
    revision: Number(row.revision),
    position: row.position,
    eventHash: row.event_hash,
  };
}
