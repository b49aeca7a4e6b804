import type { JSONWebKeySet } from 'jose';
import type { RecordedEvent } from '../ledger/event-log.port';
import { CheckpointRejected, verifyCheckpoint } from './checkpoint';
import { type IntegrityTree, type LeafRow } from './integrity-tree';
import { EMPTY_TREE_HASH, type Hash, leafHash, nodeHash } from './merkle';

export type TreeMismatchReason =
  | 'leaf-mismatch'
  | 'missing-leaf'
  | 'checkpoint-root-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-unknown'
  | 'stored-root-mismatch';

export interface TreeMismatch {
  reason: TreeMismatchReason;
  /** The leaf, or the tree size of the checkpoint or root, where it showed. */
  at: number;
  eventId: string | null;
  expected: string;
  actual: string;
}

export interface TreeReport {
  ok: boolean;
  leavesChecked: number;
  checkpointsChecked: number;
  firstMismatch: TreeMismatch | null;
  mismatchCount: number;
}

type Queryable = { query(sql: string, parameters?: unknown[]): Promise<unknown> };

const PAGE = 1000;

/**
 * Checks the integrity tree against the chains while the ledger is read in order: each leaf
 * must name the event at its place with that event's hash; each LedgerCheckpointSigned in the
 * ledger must carry the root recomputed from the events at its size, signed by a key that an
 * earlier LedgerSigningKeyActivated recorded; and the stored tree's root at its size must be
 * the recomputed one. The recomputation keeps only the O(log n) frontier of complete subtrees,
 * and remembers the root at the sizes the checkpoint table names.
 */
export class TreeCheck {
  private readonly frontier: { level: number; hash: Hash }[] = [];
  private leaves: LeafRow[] = [];
  private leafPage = 0;
  private size = 0;
  private treeSize = -1;
  private readonly rootsAt = new Map<number, string>();
  private readonly keys: JSONWebKeySet = { keys: [] };
  private checkpointsChecked = 0;
  private mismatchCount = 0;
  private firstMismatch: TreeMismatch | null = null;

  constructor(
    private readonly tree: IntegrityTree,
    /** The sizes checkpoints were signed at, so their roots are remembered on the way. */
    private readonly checkpointSizes: ReadonlySet<number>,
  ) {}

  /** A check over the stored tree and the checkpoint sizes recorded in `db`. */
  static async of(db: Queryable, tree: IntegrityTree): Promise<TreeCheck> {
    const rows = (await db.query('SELECT tree_size FROM ledger_checkpoints')) as {
      tree_size: string;
    }[];
    return new TreeCheck(tree, new Set(rows.map((row) => Number(row.tree_size))));
  }

  /** Takes the next event of the ledger, in order. */
  async observe(event: RecordedEvent): Promise<void> {
    if (this.treeSize < 0) this.treeSize = await this.tree.size();
    const index = this.size;
    if (index < this.treeSize) {
      const leaf = await this.leafAt(index);
      if (!leaf) {
        this.mismatch({
          reason: 'missing-leaf',
          at: index,
          eventId: event.id,
          expected: event.id,
          actual: '',
        });
      } else if (leaf.eventId !== event.id || leaf.eventHash !== event.metadata.integrity.hash) {
        this.mismatch({
          reason: 'leaf-mismatch',
          at: index,
          eventId: event.id,
          expected: `${event.id} ${event.metadata.integrity.hash}`,
          actual: `${leaf.eventId} ${leaf.eventHash}`,
        });
      }
    }
    if (this.size === 0 && this.checkpointSizes.has(0))
      this.rootsAt.set(0, EMPTY_TREE_HASH.toString('hex'));
    await this.checkRecorded(event);
    this.push(leafHash(Buffer.from(event.metadata.integrity.hash, 'hex')));
    this.size += 1;
    if (this.checkpointSizes.has(this.size))
      this.rootsAt.set(this.size, this.root().toString('hex'));
  }

  /** After the last event: the stored root at the tree's size, and the report. */
  async finish(): Promise<TreeReport> {
    if (this.treeSize < 0) this.treeSize = await this.tree.size();
    const size = Math.min(this.size, this.treeSize);
    if (size === this.size && size > 0) {
      const stored = (await this.tree.root(size)).toString('hex');
      const recomputed = this.root().toString('hex');
      if (stored !== recomputed) {
        this.mismatch({
          reason: 'stored-root-mismatch',
          at: size,
          eventId: null,
          expected: recomputed,
          actual: stored,
        });
      }
    }
    return {
      ok: this.mismatchCount === 0,
      leavesChecked: size,
      checkpointsChecked: this.checkpointsChecked,
      firstMismatch: this.firstMismatch,
      mismatchCount: this.mismatchCount,
    };
  }

  /** Keys and checkpoints the ledger records, checked as they come. */
  private async checkRecorded(event: RecordedEvent): Promise<void> {
    if (event.type === 'LedgerSigningKeyActivated') {
      this.keys.keys.push(event.data.publicJwk as unknown as JSONWebKeySet['keys'][number]);
      return;
    }
    if (event.type !== 'LedgerCheckpointSigned') return;
    const data = event.data as { treeSize: number; rootHash: string; jws: string };
    this.checkpointsChecked += 1;
    // A checkpoint the table does not hold yet (its projection lags): the stored tree's root.
    const recomputed =
      this.rootsAt.get(data.treeSize) ??
      (data.treeSize <= this.treeSize
        ? (await this.tree.root(data.treeSize)).toString('hex')
        : undefined);
    const at = { at: data.treeSize, eventId: event.id };
    if (recomputed === undefined) {
      this.mismatch({
        reason: 'checkpoint-unknown',
        ...at,
        expected: 'a tree of this size',
        actual: 'none',
      });
      return;
    }
    if (data.rootHash !== recomputed) {
      this.mismatch({
        reason: 'checkpoint-root-mismatch',
        ...at,
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
        ...at,
        expected: 'a signature by a key recorded earlier in the ledger over this size and root',
        actual: (error as Error).message,
      });
    }
  }

  /** The root of everything observed so far, from the frontier. */
  private root(): Hash {
    if (this.frontier.length === 0) return EMPTY_TREE_HASH;
    let hash = this.frontier[this.frontier.length - 1].hash;
    for (let i = this.frontier.length - 2; i >= 0; i--)
      hash = nodeHash(this.frontier[i].hash, hash);
    return hash;
  }

  private push(hash: Hash): void {
    let node = { level: 0, hash };
    while (
      this.frontier.length > 0 &&
      this.frontier[this.frontier.length - 1].level === node.level
    ) {
      const left = this.frontier.pop() as { level: number; hash: Hash };
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
    }
    this.frontier.push(node);
  }

  private async leafAt(index: number): Promise<LeafRow | undefined> {
    const page = Math.floor(index / PAGE);
    if (page !== this.leafPage || this.leaves.length === 0) {
      this.leafPage = page;
      this.leaves = await this.tree.leaves(page * PAGE, (page + 1) * PAGE);
    }
    const leaf = this.leaves[index - page * PAGE];
    return leaf?.leafIndex === index ? leaf : this.leaves.find((l) => l.leafIndex === index);
  }

  private mismatch(found: TreeMismatch): void {
    this.mismatchCount += 1;
    this.firstMismatch ??= found;
  }
}
