import {
  type Hash,
  type SubtreeLookup,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  verifyInclusion,
} from '../integrity/merkle';

/**
 * A sealed batch's Merkle tree (README, "Decision receipts"): RFC 9162 over the receipts' hashes
 * in seq order, each leaf input the 32 bytes of a receipt's SHA-256 (receiptHash). Built in
 * memory from the leaves: a batch holds at most a few thousand receipts.
 */
export class ReceiptTree {
  /** levels[l][i]: the hash of the complete subtree of leaves [i·2^l, (i+1)·2^l). */
  private readonly levels: Hash[][];

  constructor(receiptHashes: readonly string[]) {
    if (receiptHashes.length === 0) throw new RangeError('a receipt tree needs a receipt');
    const leaves = receiptHashes.map((hex) => leafHash(Buffer.from(hex, 'hex')));
    this.levels = [leaves];
    for (let below = leaves; below.length > 1;) {
      const level: Hash[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i], below[i + 1]));
      this.levels.push(level);
      below = level;
    }
  }

  get size(): number {
    return this.levels[0].length;
  }

  /** The root, hex. */
  root(): string {
    return rootHash(this.size, this.lookup).toString('hex');
  }

  /** The inclusion proof of leaf `index`, hex hashes. */
  proof(index: number): string[] {
    return inclusionProof(index, this.size, this.lookup).map((hash) => hash.toString('hex'));
  }

  private readonly lookup: SubtreeLookup = ({ level, index }) => {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new RangeError(`no complete subtree ${level}/${index}`);
    return hash;
  };
}

/** Does `proof` (hex) place the receipt with this hash at `index` of a batch of `count` with `root`? */
export function verifyReceiptInclusion(
  receiptHashHex: string,
  index: number,
  count: number,
  proof: readonly string[],
  root: string,
): boolean {
  if (!/^[0-9a-f]{64}$/.test(receiptHashHex) || !/^[0-9a-f]{64}$/.test(root)) return false;
  if (!proof.every((hash) => /^[0-9a-f]{64}$/.test(hash))) return false;
  return verifyInclusion(
    index,
    count,
    leafHash(Buffer.from(receiptHashHex, 'hex')),
    proof.map((hash) => Buffer.from(hash, 'hex')),
    Buffer.from(root, 'hex'),
  );
}
