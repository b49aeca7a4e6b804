import { randomBytes } from 'node:crypto';
import {
  type Hash,
  type SubtreeLookup,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootHash,
  subtreesCompletedBy,
  verifyConsistency,
  verifyInclusion,
} from './merkle';
import { consistencyRoots, hashStepsAsync, inclusionRoot } from './merkle-paths';

/** The in-browser verifier's node hash: WebCrypto (README, "Console"), async. */
const webNode = async (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> => {
  const input = new Uint8Array(65);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 33);
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
};
const same = (a: Uint8Array | undefined, b: Uint8Array) =>
  a !== undefined && Buffer.from(a).equals(Buffer.from(b));

function storeOf(leafHashes: Hash[]): SubtreeLookup {
  const nodes = new Map<string, Hash>();
  leafHashes.forEach((hash, index) => {
    nodes.set(`0/${index}`, hash);
    for (const { node, leftSibling } of subtreesCompletedBy(index)) {
      const left = nodes.get(`${leftSibling.level}/${leftSibling.index}`) as Hash;
      const right = nodes.get(`${node.level - 1}/${node.index * 2 + 1}`) as Hash;
      nodes.set(`${node.level}/${node.index}`, nodeHash(left, right));
    }
  });
  return ({ level, index }) => nodes.get(`${level}/${index}`) as Hash;
}

/** The RFC 9162 rules driven by WebCrypto answer exactly as the node:crypto verifier does. */
describe('merkle paths with an asynchronous hash (the browser verifier)', () => {
  const leaves = Array.from({ length: 37 }, () => leafHash(randomBytes(32)));
  const lookup = storeOf(leaves);

  it('accepts every genuine inclusion proof and refuses every altered one, as verifyInclusion does', async () => {
    for (const size of [1, 2, 5, 8, 13, 37]) {
      const root = rootHash(size, lookup);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, lookup);
        const altered = proof.length > 0 ? [randomBytes(32), ...proof.slice(1)] : proof;
        for (const [path, leaf] of [
          [proof, leaves[index]],
          [altered, leaves[index]],
          [proof, leaves[(index + 1) % size]],
          [proof.slice(1), leaves[index]],
        ] as const) {
          const web = same(
            await hashStepsAsync(inclusionRoot<Uint8Array>(index, size, leaf, path), webNode),
            root,
          );
          expect({ size, index, web }).toEqual({
            size,
            index,
            web: verifyInclusion(index, size, leaf, path, root),
          });
        }
        expect(verifyInclusion(index, size, leaves[index], proof, root)).toBe(true);
      }
    }
  });

  it('accepts every genuine consistency proof and refuses an altered one, as verifyConsistency does', async () => {
    for (const [from, to] of [
      [1, 1],
      [1, 8],
      [3, 7],
      [4, 37],
      [13, 37],
      [36, 37],
    ]) {
      const [oldRoot, newRoot] = [rootHash(from, lookup), rootHash(to, lookup)];
      const proof = consistencyProof(from, to, lookup);
      for (const path of [
        proof,
        proof.length > 0 ? [...proof.slice(0, -1), randomBytes(32)] : proof,
      ]) {
        const roots = await hashStepsAsync(
          consistencyRoots<Uint8Array>(from, to, oldRoot, path),
          webNode,
        );
        const web = roots !== undefined && same(roots[0], oldRoot) && same(roots[1], newRoot);
        expect({ from, to, web }).toEqual({
          from,
          to,
          web: verifyConsistency(from, to, oldRoot, newRoot, path),
        });
      }
      expect(verifyConsistency(from, to, oldRoot, newRoot, proof)).toBe(true);
    }
  });
});
