import { hash } from 'node:crypto';
import { consistencyRoots, hashSteps, inclusionRoot, proofStep } from './merkle-paths';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0), §2.1: leaves hashed with a 0x00
 * prefix, interior nodes with 0x01, a tree of n leaves split at the largest power of two below
 * n. Everything here is pure and synchronous, so the offline verifier uses the very same code.
 *
 * The service stores only complete subtrees: node (level, index) is the hash of leaves
 * [index·2^level, (index+1)·2^level). Any range the proofs need is a handful of those, so the
 * proof functions take a lookup of complete subtrees; `subtreesFor…` lists which ones they will
 * ask for, so a store can fetch them in one query before the proof is computed.
 */

export type Hash = Buffer;

// Inputs are tiny, so a one-shot hash over a reused scratch buffer beats a streaming hash and
// a concatenation per call (hashing is synchronous: nothing else writes the scratch meanwhile).
const NODE_INPUT = Buffer.alloc(65);
NODE_INPUT[0] = 0x01;

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(leafInput: Buffer): Hash {
  if (leafInput.length === 32) {
    const input = Buffer.allocUnsafe(33);
    input[0] = 0x00;
    leafInput.copy(input, 1);
    return hash('sha256', input, 'buffer');
  }
  return hash('sha256', Buffer.concat([Buffer.from([0x00]), leafInput]), 'buffer');
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  if (left.length !== 32 || right.length !== 32) {
    return hash('sha256', Buffer.concat([NODE_INPUT.subarray(0, 1), left, right]), 'buffer');
  }
  left.copy(NODE_INPUT, 1);
  right.copy(NODE_INPUT, 33);
  return hash('sha256', NODE_INPUT, 'buffer');
}

/** The hash of the empty tree: SHA-256 of nothing. */
export const EMPTY_TREE_HASH: Hash = hash('sha256', Buffer.alloc(0), 'buffer');

/** The largest power of two strictly less than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A complete subtree: leaves [index·2^level, (index+1)·2^level). */
export interface Subtree {
  level: number;
  index: number;
}

/** Returns the stored hash of a complete subtree. */
export type SubtreeLookup = (subtree: Subtree) => Hash;

/**
 * MTH(D[start:end]) from complete subtrees. Ranges the proofs ask for always start on a
 * boundary of their size's split, so the range decomposes into aligned power-of-two blocks,
 * largest first, hashed right to left.
 */
export function rangeHash(start: number, end: number, lookup: SubtreeLookup): Hash {
  if (end <= start) return EMPTY_TREE_HASH;
  const blocks = alignedBlocks(start, end);
  let hash = lookup(blocks[blocks.length - 1]);
  for (let i = blocks.length - 2; i >= 0; i--) hash = nodeHash(lookup(blocks[i]), hash);
  return hash;
}

/**
 * [start, end) as aligned power-of-two blocks, largest first. Only valid when the range is a
 * subtree of the RFC's recursive split (its start aligned to the largest block it holds), which
 * every range `rangeHash` is given is.
 */
function alignedBlocks(start: number, end: number): Subtree[] {
  const blocks: Subtree[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    // The biggest block that starts at `at`, is aligned there and fits before `end`.
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level++;
    blocks.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return blocks;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the inclusion proof of leaf m in the tree of size n. */
export function inclusionProof(
  m: number,
  n: number,
  lookup: SubtreeLookup,
  /** Range hashes already computed: the proofs of neighbouring leaves share most of theirs. */
  ranges?: Map<string, Hash>,
): Hash[] {
  if (!(m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of ${n} leaves`);
  const path: Hash[] = [];
  const range = (start: number, end: number): Hash => {
    if (!ranges) return rangeHash(start, end, lookup);
    const key = `${start}:${end}`;
    let hash = ranges.get(key);
    if (!hash) ranges.set(key, (hash = rangeHash(start, end, lookup)));
    return hash;
  };
  const walk = (index: number, start: number, end: number) => {
    const size = end - start;
    if (size === 1) return;
    const k = splitPoint(size);
    if (index < k) {
      walk(index, start, start + k);
      path.push(range(start + k, end));
    } else {
      walk(index - k, start + k, end);
      path.push(range(start, start + k));
    }
  };
  walk(m, 0, n);
  return path;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]): that the tree of size m is a prefix of the tree of size n. */
export function consistencyProof(m: number, n: number, lookup: SubtreeLookup): Hash[] {
  if (!(m > 0 && m <= n)) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  const proof: Hash[] = [];
  const subproof = (size: number, start: number, end: number, complete: boolean) => {
    const total = end - start;
    if (size === total) {
      if (!complete) proof.push(rangeHash(start, end, lookup));
      return;
    }
    const k = splitPoint(total);
    if (size <= k) {
      subproof(size, start, start + k, complete);
      proof.push(rangeHash(start + k, end, lookup));
    } else {
      subproof(size - k, start + k, end, false);
      proof.push(rangeHash(start, start + k, lookup));
    }
  };
  if (m < n) subproof(m, 0, n, true);
  return proof;
}

/** The subtrees a proof or root computation will look up, so a store can fetch them at once. */
export function subtreesFor(compute: (lookup: SubtreeLookup) => unknown): Subtree[] {
  const wanted = new Map<string, Subtree>();
  compute((subtree) => {
    wanted.set(`${subtree.level}/${subtree.index}`, subtree);
    return EMPTY_TREE_HASH;
  });
  return [...wanted.values()];
}

/** MTH(D[0:n]). */
export function rootHash(n: number, lookup: SubtreeLookup): Hash {
  return rangeHash(0, n, lookup);
}

/**
 * The complete subtrees that appending leaf `index` completes: the leaf itself, then each
 * parent for as long as the new node is a right child. Each entry names the left sibling it
 * combines with, so a store reads those (at most log n) and writes the new nodes.
 */
export function subtreesCompletedBy(index: number): { node: Subtree; leftSibling: Subtree }[] {
  const completed: { node: Subtree; leftSibling: Subtree }[] = [];
  let level = 0;
  let at = index;
  while (at % 2 === 1) {
    completed.push({
      node: { level: level + 1, index: (at - 1) / 2 },
      leftSibling: { level, index: at - 1 },
    });
    at = (at - 1) / 2;
    level++;
  }
  return completed;
}

/** RFC 9162 §2.1.3.2: does `proof` place `leaf` (a leaf hash) at `index` of a tree with `root`? */
export function verifyInclusion(
  index: number,
  treeSize: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  const reached = hashSteps(inclusionRoot(index, treeSize, leaf, proof), nodeHash);
  return reached !== undefined && reached.equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (size1, root1) is a prefix of (size2, root2)? */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Hash,
  root2: Hash,
  proof: readonly Hash[],
): boolean {
  const roots = hashSteps(consistencyRoots(size1, size2, root1, proof), nodeHash);
  return roots !== undefined && roots[0].equals(root1) && roots[1].equals(root2);
}

/**
 * `verifyInclusion` for many proofs against one root, as when a document hands out the proofs of
 * neighbouring leaves: each answers exactly as `verifyInclusion` would, but a path that reaches
 * a node (fn, sn) another proof already verified from, with the same hash there and the same
 * remaining path, stops hashing (neighbouring leaves share most of their path).
 */
export function inclusionVerifier(
  treeSize: number,
  root: Hash,
): (index: number, leaf: Hash, proof: readonly Hash[]) => boolean {
  const verified = new Map<string, { hash: Hash; proof: readonly Hash[]; from: number }>();
  const sameRest = (a: readonly Hash[], i: number, b: readonly Hash[], j: number) => {
    if (a.length - i !== b.length - j) return false;
    for (; i < a.length; i++, j++) if (a[i] !== b[j] && !a[i].equals(b[j])) return false;
    return true;
  };
  return (index, leaf, proof) => {
    if (!(index >= 0 && index < treeSize)) return false;
    const visited: [string, Hash, number][] = [];
    let fn = index;
    let sn = treeSize - 1;
    let r = leaf;
    for (let i = 0; i < proof.length; i++) {
      if (sn === 0) return false;
      const p = proof[i];
      const step = proofStep(fn, sn);
      r = step.left ? nodeHash(p, r) : nodeHash(r, p);
      ({ fn, sn } = step);
      const key = `${fn}/${sn}`;
      const known = verified.get(key);
      if (known && known.hash.equals(r) && sameRest(proof, i + 1, known.proof, known.from)) {
        for (const [k, hash, from] of visited) verified.set(k, { hash, proof, from });
        return true;
      }
      visited.push([key, r, i + 1]);
    }
    if (!(sn === 0 && r.equals(root))) return false;
    for (const [k, hash, from] of visited) verified.set(k, { hash, proof, from });
    return true;
  };
}
