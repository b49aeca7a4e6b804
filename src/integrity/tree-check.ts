import type { JSONWebKeySet } from 'jose';
import { canonicalJson } from '../ledger/canonical-json';
import type { RecordedEvent } from '../ledger/event-log.port';
import { CheckpointRejected, verifyCheckpoint } from './checkpoint';
import { type IntegrityTree, type LeafRow } from './integrity-tree';
import { EMPTY_TREE_HASH, type Hash, leafHash, nodeHash } from './merkle';

/** Stable codes for what the verifier found wrong (README, "Integrity log"). */
export type TreeMismatchReason =
  /** A leaf row's column differs from the event at its place in the ledger. */
  | 'leaf-mismatch'
  | 'missing-leaf'
  /** A leaf row where the ledger holds no event. */
  | 'unexpected-leaf'
  /** A stored complete subtree's hash differs from the one recomputed from the events. */
  | 'subtree-mismatch'
  | 'missing-subtree'
  /** A stored subtree that is not a complete subtree of the tree. */
  | 'unexpected-subtree'
  | 'stored-root-mismatch'
  /** A LedgerCheckpointSigned event whose root is not the events' root at its size. */
  | 'checkpoint-root-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-unknown'
  /** A ledger_checkpoints row that differs from the LedgerCheckpointSigned event it names. */
  | 'checkpoint-row-mismatch'
  | 'checkpoint-row-missing'
  | 'checkpoint-row-unknown'
  /** A ledger_signing_keys row that differs from the LedgerSigningKeyActivated event it names. */
  | 'signing-key-row-mismatch'
  | 'signing-key-row-missing'
  | 'signing-key-row-unknown';

/** Where a mismatch was found: a table of the integrity log, or the ledger's own event. */
export type IntegrityTable =
  | 'integrity_leaves'
  | 'integrity_subtrees'
  | 'ledger_checkpoints'
  | 'ledger_signing_keys'
  | 'ledger_events';

export interface TreeMismatch {
  reason: TreeMismatchReason;
  table: IntegrityTable;
  /**
   * The leaf index (leaves; a subtree's first leaf; the ledger index of a signing key's event,
   * −1 for a key row that names no event in the ledger), or the tree size (checkpoints, the
   * stored root).
   */
  at: number;
  /** A subtree's level; null elsewhere. */
  level: number | null;
  /** The row's key: a subtree's index at its level, a leaf's index, a checkpoint's tree size. */
  index: number | null;
  /** The column that differs, when a row is there but wrong. */
  column: string | null;
  eventId: string | null;
  expected: string;
  actual: string;
}

export interface TreeReport {
  ok: boolean;
  leavesChecked: number;
  subtreesChecked: number;
  checkpointsChecked: number;
  checkpointRowsChecked: number;
  signingKeyRowsChecked: number;
  firstMismatch: TreeMismatch | null;
  mismatchCount: number;
}

type Queryable = { query(sql: string, parameters?: unknown[]): Promise<unknown> };

type CheckpointRow = {
  tree_size: string;
  root_hash: string;
  log_id: string;
  signed_at: Date | string;
  key_id: string;
  jws: string;
  event_id: string;
};
type KeyRow = {
  key_id: string;
  public_jwk: unknown;
  activated_at: Date | string;
  event_id: string;
};

/** The rows of the checkpoint tables when the check began (a handful per thousand events). */
interface StoredRecords {
  checkpoints: CheckpointRow[];
  keys: KeyRow[];
}

type CheckedLeaf = LeafRow & { occurredAt: Date };

/** Leaves [from, to) and the subtrees they complete, as stored. */
interface Page {
  number: number;
  from: number;
  leaves: (CheckedLeaf | undefined)[];
  subtrees: Map<string, Hash>;
}

interface Node {
  level: number;
  index: number;
  hash: Hash;
}

const PAGE = 1000;
const hex = (hash: Hash) => hash.toString('hex');
const time = (value: Date | string) => new Date(value).getTime();

/** The first of `columns` ([column, expected, stored]) whose stored value is not the one expected. */
function firstDifference(
  columns: readonly [column: string, expected: string, actual: string][],
): { column: string; expected: string; actual: string } | undefined {
  for (const [column, expected, actual] of columns) {
    if (expected !== actual) return { column, expected, actual };
  }
  return undefined;
}

/**
 * Checks every stored node of the integrity log against the ledger while it is read in order
 * (README, "Integrity log"): each leaf row against the event at its place (every column); each
 * stored complete subtree, at every level, against the one recomputed from the events' hashes
 * (the recomputation keeps only the O(log n) frontier, and the stored rows are read a page of
 * leaves at a time, the next page fetched while this one is checked); that no other leaf or
 * subtree is stored; each LedgerCheckpointSigned against the root recomputed at its size and a
 * key an earlier LedgerSigningKeyActivated recorded; and each row of ledger_checkpoints and
 * ledger_signing_keys against the event it was projected from.
 */
export class TreeCheck {
  private readonly frontier: Node[] = [];
  private size = 0;
  private treeSize = -1;
  private page?: Page;
  private nextPage?: { number: number; page: Promise<Page> };
  private readonly rootsAt = new Map<number, string>();
  private readonly keys: JSONWebKeySet = { keys: [] };
  private readonly checkpointSizes: Set<number>;
  private readonly checkpointRows = new Map<string, CheckpointRow>();
  private readonly checkpointRowOfSize = new Map<number, CheckpointRow>();
  private readonly keyRows = new Map<string, KeyRow>();
  private readonly keyRowOfKey = new Map<string, KeyRow>();
  /** Integrity events observed; with or without a row of their own. */
  private readonly observed = new Set<string>();
  /** Integrity events with no row yet: missing once a later one is found projected. */
  private unprojected: { event: RecordedEvent; at: number }[] = [];
  private subtreesChecked = 0;
  private checkpointsChecked = 0;
  private checkpointRowsChecked = 0;
  private signingKeyRowsChecked = 0;
  private mismatchCount = 0;
  private firstMismatch: TreeMismatch | null = null;

  constructor(
    private readonly db: Queryable,
    private readonly tree: IntegrityTree,
    stored: StoredRecords,
  ) {
    for (const row of stored.checkpoints) {
      this.checkpointRows.set(row.event_id, row);
      this.checkpointRowOfSize.set(Number(row.tree_size), row);
    }
    for (const row of stored.keys) {
      this.keyRows.set(row.event_id, row);
      this.keyRowOfKey.set(row.key_id, row);
    }
    // The roots at these sizes are remembered on the way, so checkpoints need no query.
    this.checkpointSizes = new Set(this.checkpointRowOfSize.keys());
  }

  /** A check over the stored tree and the checkpoint tables in `db`. */
  static async of(db: Queryable, tree: IntegrityTree): Promise<TreeCheck> {
    const checkpoints = (await db.query(
      `SELECT tree_size, root_hash, log_id, signed_at, key_id, jws, event_id
       FROM ledger_checkpoints`,
    )) as CheckpointRow[];
    const keys = (await db.query(
      'SELECT key_id, public_jwk, activated_at, event_id FROM ledger_signing_keys',
    )) as KeyRow[];
    return new TreeCheck(db, tree, { checkpoints, keys });
  }

  /** Takes the next event of the ledger, in order. */
  async observe(event: RecordedEvent): Promise<void> {
    if (this.treeSize < 0) this.treeSize = await this.tree.size();
    const index = this.size;
    const page = index < this.treeSize ? await this.pageOf(index) : undefined;
    if (page) this.checkLeaf(page, index, event);
    if (index === 0 && this.checkpointSizes.has(0))
      this.rootsAt.set(0, EMPTY_TREE_HASH.toString('hex'));
    await this.checkRecorded(event, index);
    this.push(leafHash(Buffer.from(event.metadata.integrity.hash, 'hex')), index, page);
    this.size += 1;
    if (this.checkpointSizes.has(this.size)) this.rootsAt.set(this.size, hex(this.root()));
  }

  /** After the last event: rows no event accounts for, the stored root, and the report. */
  async finish(): Promise<TreeReport> {
    if (this.treeSize < 0) this.treeSize = await this.tree.size();
    await this.checkNothingElseStored();
    const size = Math.min(this.size, this.treeSize);
    if (size === this.size && size > 0 && this.mismatchCount === 0) {
      // Implied by every node matching; kept as the check a proof's reader relies on.
      const stored = hex(await this.tree.root(size));
      const recomputed = hex(this.root());
      if (stored !== recomputed) {
        this.mismatch({
          reason: 'stored-root-mismatch',
          table: 'integrity_subtrees',
          at: size,
          expected: recomputed,
          actual: stored,
        });
      }
    }
    for (const row of this.checkpointRows.values()) {
      if (!this.observed.has(row.event_id)) {
        this.mismatch({
          reason: 'checkpoint-row-unknown',
          table: 'ledger_checkpoints',
          at: Number(row.tree_size),
          index: Number(row.tree_size),
          eventId: row.event_id,
          expected: 'a row for a LedgerCheckpointSigned event in the ledger',
          actual: `event ${row.event_id}, which the ledger does not hold as one`,
        });
      }
    }
    for (const row of this.keyRows.values()) {
      if (!this.observed.has(row.event_id)) {
        this.mismatch({
          reason: 'signing-key-row-unknown',
          table: 'ledger_signing_keys',
          at: -1,
          eventId: row.event_id,
          column: 'key_id',
          expected: 'a row for a LedgerSigningKeyActivated event in the ledger',
          actual: `key ${row.key_id} of event ${row.event_id}, which the ledger does not hold as one`,
        });
      }
    }
    return {
      ok: this.mismatchCount === 0,
      leavesChecked: size,
      subtreesChecked: this.subtreesChecked,
      checkpointsChecked: this.checkpointsChecked,
      checkpointRowsChecked: this.checkpointRowsChecked,
      signingKeyRowsChecked: this.signingKeyRowsChecked,
      firstMismatch: this.firstMismatch,
      mismatchCount: this.mismatchCount,
    };
  }

  /** Every column of the leaf row against the event at its place. */
  private checkLeaf(page: Page, index: number, event: RecordedEvent): void {
    const leaf = page.leaves[index - page.from];
    const at = { table: 'integrity_leaves', at: index, index, eventId: event.id } as const;
    if (!leaf) {
      this.mismatch({
        reason: 'missing-leaf',
        ...at,
        expected: `${event.id} ${event.metadata.integrity.hash}`,
        actual: 'no row',
      });
      return;
    }
    const columns: [string, string, string][] = [
      ['event_id', event.id, leaf.eventId],
      ['event_hash', event.metadata.integrity.hash, leaf.eventHash],
      ['event_type', event.type, leaf.eventType],
      ['stream', event.stream, leaf.stream],
      ['revision', event.revision.toString(), String(leaf.revision)],
      ['position', event.position, leaf.position],
    ];
    const differs = firstDifference(columns);
    if (differs) {
      this.mismatch({ reason: 'leaf-mismatch', ...at, ...differs });
      return;
    }
    if (time(event.metadata.occurredAt) !== leaf.occurredAt.getTime()) {
      this.mismatch({
        reason: 'leaf-mismatch',
        ...at,
        column: 'occurred_at',
        expected: event.metadata.occurredAt,
        actual: Number.isNaN(leaf.occurredAt.getTime()) ? 'invalid' : leaf.occurredAt.toISOString(),
      });
    }
  }

  /** A node just recomputed against the stored row (within the tree as stored at the start). */
  private checkNode(node: Node, page: Page | undefined): void {
    if (!page) return;
    this.subtreesChecked += 1;
    const stored = page.subtrees.get(`${node.level}/${node.index}`);
    if (stored?.equals(node.hash)) return;
    this.mismatch({
      reason: stored ? 'subtree-mismatch' : 'missing-subtree',
      table: 'integrity_subtrees',
      at: node.index * 2 ** node.level,
      level: node.level,
      index: node.index,
      column: stored ? 'hash' : null,
      expected: hex(node.hash),
      actual: stored ? hex(stored) : 'no row',
    });
  }

  /** Leaf rows past the ledger's last event, and subtrees that are no complete subtree. */
  private async checkNothingElseStored(): Promise<void> {
    const [leaf] = (await this.db.query(
      `SELECT leaf_index, event_id, event_hash FROM integrity_leaves
       WHERE leaf_index < 0 OR (leaf_index >= $1 AND leaf_index < $2)
       ORDER BY leaf_index LIMIT 1`,
      [this.size, this.treeSize],
    )) as { leaf_index: string; event_id: string; event_hash: string }[];
    if (leaf) {
      this.mismatch({
        reason: 'unexpected-leaf',
        table: 'integrity_leaves',
        at: Number(leaf.leaf_index),
        index: Number(leaf.leaf_index),
        eventId: leaf.event_id,
        expected: `no leaf: the ledger holds ${this.size} events`,
        actual: `${leaf.event_id} ${leaf.event_hash}`,
      });
    }
    // The projection may have gone on meanwhile: complete means complete in the tree as it is
    // now, read in the same statement (one snapshot) as the subtrees.
    const [subtree] = (await this.db.query(
      `WITH tree AS (
         SELECT greatest($1::bigint, coalesce(max(leaf_index) + 1, 0)) AS size FROM integrity_leaves)
       SELECT s.level, s.index, s.hash, tree.size FROM integrity_subtrees s, tree
       WHERE s.level < 0 OR s.level > 62 OR s.index < 0 OR s.index >= (tree.size >> s.level)
       ORDER BY s.level, s.index LIMIT 1`,
      [this.treeSize],
    )) as { level: number; index: string; hash: Buffer; size: string }[];
    if (subtree) {
      this.mismatch({
        reason: 'unexpected-subtree',
        table: 'integrity_subtrees',
        at: Number(subtree.index) * 2 ** subtree.level,
        level: subtree.level,
        index: Number(subtree.index),
        expected: `no subtree: the tree holds ${Number(subtree.size)} leaves`,
        actual: hex(subtree.hash),
      });
    }
  }

  /** Keys and checkpoints the ledger records, and their rows, checked as they come. */
  private async checkRecorded(event: RecordedEvent, at: number): Promise<void> {
    if (event.type === 'LedgerSigningKeyActivated') {
      this.keys.keys.push(event.data.publicJwk as unknown as JSONWebKeySet['keys'][number]);
      this.checkKeyRow(event, at);
      return;
    }
    if (event.type !== 'LedgerCheckpointSigned') return;
    const data = event.data as {
      treeSize: number;
      rootHash: string;
      jws: string;
      logId: string;
      timestamp: string;
      keyId: string;
    };
    this.checkpointsChecked += 1;
    this.checkCheckpointRow(event, data, at);
    // A checkpoint the table does not hold yet (its projection lags): the stored tree's root,
    // whose nodes are checked against the events on the way.
    const recomputed =
      this.rootsAt.get(data.treeSize) ??
      (data.treeSize === this.size ? hex(this.root()) : undefined) ??
      (data.treeSize < this.size
        ? hex(await this.tree.root(data.treeSize).catch(() => EMPTY_TREE_HASH))
        : undefined);
    const where = {
      table: 'ledger_events',
      at: data.treeSize,
      index: data.treeSize,
      eventId: event.id,
    } as const;
    if (recomputed === undefined) {
      this.mismatch({
        reason: 'checkpoint-unknown',
        ...where,
        expected: `a tree of at most ${this.size} events (those before it)`,
        actual: `${data.treeSize}`,
      });
      return;
    }
    if (data.rootHash !== recomputed) {
      this.mismatch({
        reason: 'checkpoint-root-mismatch',
        ...where,
        column: 'rootHash',
        expected: recomputed,
        actual: data.rootHash,
      });
      return;
    }
    try {
      const { payload } = await verifyCheckpoint(data.jws, this.keys);
      if (payload.treeSize !== data.treeSize || payload.rootHash !== recomputed) {
        throw new CheckpointRejected('the JWS says another tree size or root');
      }
    } catch (error) {
      this.mismatch({
        reason: 'checkpoint-signature',
        ...where,
        column: 'jws',
        expected: 'a signature by a key recorded earlier in the ledger over this size and root',
        actual: (error as Error).message,
      });
    }
  }

  private checkCheckpointRow(
    event: RecordedEvent,
    data: {
      treeSize: number;
      rootHash: string;
      logId: string;
      timestamp: string;
      keyId: string;
      jws: string;
    },
    at: number,
  ): void {
    this.observed.add(event.id);
    const row = this.checkpointRows.get(event.id);
    if (!row) {
      // Two replicas may sign one size: the first recorded stands, the second has no row.
      const first = this.checkpointRowOfSize.get(data.treeSize);
      if (!first || !this.observed.has(first.event_id)) this.unprojected.push({ event, at });
      return;
    }
    this.projectedUpTo();
    this.checkpointRowsChecked += 1;
    const columns: [string, string, string][] = [
      ['tree_size', String(data.treeSize), String(Number(row.tree_size))],
      ['root_hash', data.rootHash, row.root_hash],
      ['log_id', data.logId, row.log_id],
      ['signed_at', String(time(data.timestamp)), String(time(row.signed_at))],
      ['key_id', data.keyId, row.key_id],
      ['jws', data.jws, row.jws],
    ];
    const differs = firstDifference(columns);
    if (differs) {
      this.mismatch({
        reason: 'checkpoint-row-mismatch',
        table: 'ledger_checkpoints',
        at: Number(row.tree_size),
        index: Number(row.tree_size),
        eventId: event.id,
        ...differs,
      });
    }
  }

  private checkKeyRow(event: RecordedEvent, at: number): void {
    this.observed.add(event.id);
    const data = event.data as { keyId: string; publicJwk: unknown; activatedAt: string };
    const row = this.keyRows.get(event.id);
    if (!row) {
      // A key recorded twice (two replicas): the first recorded stands.
      const first = this.keyRowOfKey.get(data.keyId);
      if (!first || !this.observed.has(first.event_id)) this.unprojected.push({ event, at });
      return;
    }
    this.projectedUpTo();
    this.signingKeyRowsChecked += 1;
    const columns: [string, string, string][] = [
      ['key_id', data.keyId, row.key_id],
      ['public_jwk', canonicalJson(data.publicJwk), canonicalJson(row.public_jwk)],
      ['activated_at', String(time(data.activatedAt)), String(time(row.activated_at))],
    ];
    const differs = firstDifference(columns);
    if (differs) {
      this.mismatch({
        reason: 'signing-key-row-mismatch',
        table: 'ledger_signing_keys',
        at,
        eventId: event.id,
        ...differs,
      });
    }
  }

  /**
   * A later integrity event has its row: the checkpoints projection applies events in ledger
   * order, so every earlier one without a row had its row removed.
   */
  private projectedUpTo(): void {
    for (const { event, at } of this.unprojected) {
      const checkpoint = event.type === 'LedgerCheckpointSigned';
      const data = event.data as { treeSize?: number; keyId?: string };
      this.mismatch({
        reason: checkpoint ? 'checkpoint-row-missing' : 'signing-key-row-missing',
        table: checkpoint ? 'ledger_checkpoints' : 'ledger_signing_keys',
        at: checkpoint ? Number(data.treeSize) : at,
        index: checkpoint ? Number(data.treeSize) : null,
        eventId: event.id,
        expected: checkpoint
          ? `a row for the checkpoint of ${data.treeSize} events`
          : `a row for key ${data.keyId}`,
        actual: 'no row',
      });
    }
    this.unprojected = [];
  }

  /** The root of everything observed so far, from the frontier. */
  private root(): Hash {
    if (this.frontier.length === 0) return EMPTY_TREE_HASH;
    let hash = this.frontier[this.frontier.length - 1].hash;
    for (let i = this.frontier.length - 2; i >= 0; i--)
      hash = nodeHash(this.frontier[i].hash, hash);
    return hash;
  }

  /** Appends leaf `index`, checking it and every subtree it completes against the stored ones. */
  private push(hash: Hash, index: number, page: Page | undefined): void {
    let node: Node = { level: 0, index, hash };
    this.checkNode(node, page);
    while (
      this.frontier.length > 0 &&
      this.frontier[this.frontier.length - 1].level === node.level
    ) {
      const left = this.frontier.pop() as Node;
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      this.checkNode(node, page);
    }
    this.frontier.push(node);
  }

  /** The page holding leaf `index`; the next one is fetched meanwhile. */
  private async pageOf(index: number): Promise<Page> {
    const number = Math.floor(index / PAGE);
    if (this.page?.number === number) return this.page;
    this.page =
      this.nextPage?.number === number ? await this.nextPage.page : await this.fetchPage(number);
    this.nextPage = undefined;
    if ((number + 1) * PAGE < this.treeSize) {
      const page = this.fetchPage(number + 1);
      page.catch(() => undefined); // awaited, and thrown, when it is needed
      this.nextPage = { number: number + 1, page };
    }
    return this.page;
  }

  private async fetchPage(number: number): Promise<Page> {
    const from = number * PAGE;
    const to = Math.min(from + PAGE, this.treeSize);
    const [rows, subtrees] = await Promise.all([
      this.tree.leafRowsToCheck(from, to),
      this.tree.subtreesCompletedIn(from, to),
    ]);
    const leaves: (CheckedLeaf | undefined)[] = new Array(to - from);
    for (const row of rows) leaves[row.leafIndex - from] = row;
    return { number, from, leaves, subtrees };
  }

  private mismatch(
    found: Omit<TreeMismatch, 'level' | 'index' | 'column' | 'eventId'> &
      Partial<Pick<TreeMismatch, 'level' | 'index' | 'column' | 'eventId'>>,
  ): void {
    this.mismatchCount += 1;
    this.firstMismatch ??= {
      reason: found.reason,
      table: found.table,
      at: found.at,
      level: found.level ?? null,
      index: found.index ?? null,
      column: found.column ?? null,
      eventId: found.eventId ?? null,
      expected: found.expected,
      actual: found.actual,
    };
  }
}
