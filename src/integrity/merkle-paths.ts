/**
 * The verification rules of RFC 9162 (§2.1.3.2 inclusion, §2.1.4.2 consistency) with the hashing
 * left to the caller: each generator yields the (left, right) pairs to hash as interior nodes and
 * is sent back each hash. The service and the CLI drive them with node:crypto synchronously
 * (merkle.ts); the console's in-browser pack verifier drives the very same rules with WebCrypto,
 * which only hashes asynchronously (README, "Console"). No Node built-in is used here.
 */

/**
 * One step up an RFC 9162 verification path from node (fn, sn): whether the proof's next hash
 * goes on the left, and the node the step reaches.
 */
export function proofStep(fn: number, sn: number): { left: boolean; fn: number; sn: number } {
  const left = fn % 2 === 1 || fn === sn;
  if (left && fn % 2 === 0) {
    while (fn % 2 === 0 && fn !== 0) {
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
  }
  return { left, fn: Math.floor(fn / 2), sn: Math.floor(sn / 2) };
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** A pair of hashes to combine as an interior node (left, right); answered with its hash. */
export type NodeSteps<H, R> = Generator<[H, H], R, H>;

/**
 * The root `proof` leads to from `leaf` at `index` of a tree of `treeSize` leaves, or undefined
 * when the proof cannot be one (index outside the tree, a path of the wrong length).
 */
export function* inclusionRoot<H>(
  index: number,
  treeSize: number,
  leaf: H,
  proof: readonly H[],
): NodeSteps<H, H | undefined> {
  if (!(index >= 0 && index < treeSize)) return undefined;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    const step = proofStep(fn, sn);
    r = step.left ? yield [p, r] : yield [r, p];
    ({ fn, sn } = step);
  }
  return sn === 0 ? r : undefined;
}

/**
 * The two roots a consistency proof leads to (the older tree's, the newer tree's), for the
 * caller to compare with root1 and root2; undefined when the proof cannot be one.
 */
export function* consistencyRoots<H>(
  size1: number,
  size2: number,
  root1: H,
  proof: readonly H[],
): NodeSteps<H, [H, H] | undefined> {
  if (size1 <= 0 || size1 > size2) return undefined;
  if (size1 === size2) return proof.length === 0 ? [root1, root1] : undefined;
  const path = [...proof];
  // A first tree that is a complete subtree is implied, not sent: put its root first.
  if (isPowerOfTwo(size1)) path.unshift(root1);
  if (path.length === 0) return undefined;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return undefined;
    const step = proofStep(fn, sn);
    if (step.left) {
      fr = yield [c, fr];
      sr = yield [c, sr];
    } else {
      sr = yield [sr, c];
    }
    ({ fn, sn } = step);
  }
  return sn === 0 ? [fr, sr] : undefined;
}

/** Runs steps with a synchronous node hash. */
export function hashSteps<H, R>(steps: NodeSteps<H, R>, node: (left: H, right: H) => H): R {
  let next = steps.next();
  while (!next.done) next = steps.next(node(...next.value));
  return next.value;
}

/** Runs steps with an asynchronous node hash (WebCrypto). */
export async function hashStepsAsync<H, R>(
  steps: NodeSteps<H, R>,
  node: (left: H, right: H) => Promise<H>,
): Promise<R> {
  let next = steps.next();
  while (!next.done) next = steps.next(await node(...next.value));
  return next.value;
}
