import { createHash, randomBytes } from 'node:crypto';
import {
  EMPTY_TREE_HASH,
  type Hash,
  type SubtreeLookup,
  consistencyProof,
  inclusionProof,
  inclusionVerifier,
  leafHash,
  nodeHash,
  rootHash,
  splitPoint,
  subtreesCompletedBy,
  subtreesFor,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const hex = (hash: Hash) => hash.toString('hex');
const unhex = (text: string) => Buffer.from(text, 'hex');

/** The test vectors of RFC 6962 / 9162's reference implementation: eight leaves. */
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(unhex);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** MTH straight from the RFC's definition, with no stored subtrees: the reference. */
function referenceRoot(leaves: Hash[]): Hash {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** Complete subtrees built the way the store builds them: appending one leaf at a time. */
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
  return ({ level, index }) => {
    const hash = nodes.get(`${level}/${index}`);
    if (!hash) throw new Error(`subtree ${level}/${index} is not complete`);
    return hash;
  };
}

describe('RFC 9162 Merkle tree', () => {
  const hashes = LEAVES.map(leafHash);
  const store = storeOf(hashes);

  it('hashes the empty tree, leaves and roots as the RFC test vectors say', () => {
    expect(hex(EMPTY_TREE_HASH)).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    for (let n = 1; n <= 8; n++) {
      expect({ n, root: hex(rootHash(n, store)) }).toEqual({ n, root: ROOTS[n - 1] });
    }
  });

  it('gives the RFC test vectors’ inclusion and consistency proofs', () => {
    const path = (m: number, n: number) => inclusionProof(m, n, store).map(hex);
    expect(path(0, 8)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(path(5, 8)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(path(2, 3)).toEqual([
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    ]);
    expect(path(1, 5)).toEqual([
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ]);
    const consistency = (m: number, n: number) => consistencyProof(m, n, store).map(hex);
    expect(consistency(1, 1)).toEqual([]);
    expect(consistency(1, 8)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(consistency(6, 8)).toEqual([
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(consistency(2, 5)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ]);
  });

  describe('for every tree size 1..64 and random larger ones', () => {
    const many = Array.from({ length: 64 }, () => leafHash(randomBytes(32)));
    const big = Array.from({ length: 1500 }, () => leafHash(randomBytes(16)));
    const manyStore = storeOf(many);
    const bigStore = storeOf(big);
    const sizes: [Hash[], SubtreeLookup, number][] = [
      ...Array.from({ length: 64 }, (_, i): [Hash[], SubtreeLookup, number] => [
        many,
        manyStore,
        i + 1,
      ]),
      ...[65, 127, 128, 129, 513, 1000, 1023, 1024, 1025, 1500].map(
        (n): [Hash[], SubtreeLookup, number] => [big, bigStore, n],
      ),
    ];

    it('computes the same root from stored subtrees as from the definition', () => {
      for (const [leaves, lookup, n] of sizes) {
        expect({ n, root: hex(rootHash(n, lookup)) }).toEqual({
          n,
          root: hex(referenceRoot(leaves.slice(0, n))),
        });
      }
    });

    it('proves every leaf included, and a proof fails for another leaf, index or root', () => {
      for (const [leaves, lookup, n] of sizes) {
        const root = rootHash(n, lookup);
        const indices =
          n <= 64 ? Array.from({ length: n }, (_, i) => i) : [0, 1, n >> 1, n - 2, n - 1];
        for (const m of indices) {
          const proof = inclusionProof(m, n, lookup);
          expect({ n, m, ok: verifyInclusion(m, n, leaves[m], proof, root) }).toEqual({
            n,
            m,
            ok: true,
          });
          if (n > 1) {
            const other = leaves[(m + 1) % n];
            expect(verifyInclusion(m, n, other, proof, root)).toBe(false);
            expect(verifyInclusion((m + 1) % n, n, leaves[m], proof, root)).toBe(false);
            const altered = proof.map((p, i) => (i === 0 ? leafHash(p) : p));
            expect(verifyInclusion(m, n, leaves[m], altered, root)).toBe(false);
          }
          expect(verifyInclusion(m, n, leaves[m], proof, leafHash(root))).toBe(false);
        }
      }
    });

    it('verifies many proofs against one root exactly as one at a time, a wrong node failing wherever it is shared', () => {
      for (const [leaves, lookup, n] of sizes) {
        const root = rootHash(n, lookup);
        const verify = inclusionVerifier(n, root);
        const ranges = new Map<string, Hash>();
        // Every leaf in order, as a document cites them: neighbours share their upper path.
        const indices = Array.from({ length: Math.min(n, 300) }, (_, i) => i);
        for (const m of indices) {
          const proof = inclusionProof(m, n, lookup, ranges);
          expect({ n, m, ok: verify(m, leaves[m], proof) }).toEqual({ n, m, ok: true });
        }
        for (const m of indices.filter((i) => n > 1 && i % 7 === 0)) {
          const proof = inclusionProof(m, n, lookup, ranges);
          // One element of the path changed (low, high): a path already verified above it
          // must not vouch for it.
          for (const at of [0, proof.length - 1]) {
            const altered = proof.map((p, i) => (i === at ? leafHash(p) : p));
            expect({ n, m, at, ok: verify(m, leaves[m], altered) }).toEqual({
              n,
              m,
              at,
              ok: verifyInclusion(m, n, leaves[m], altered, root),
            });
            expect(verify(m, leaves[m], altered)).toBe(false);
          }
          expect(verify(m, leaves[(m + 1) % n], proof)).toBe(false);
          expect(verify(m, leaves[m], proof.slice(0, -1))).toBe(false);
          expect(verify(m, leaves[m], [...proof, root])).toBe(false);
        }
        expect(
          inclusionVerifier(n, leafHash(root))(0, leaves[0], inclusionProof(0, n, lookup)),
        ).toBe(false);
      }
    });

    it('proves every smaller tree a prefix of a larger one, and not an altered one', () => {
      for (const [, lookup, n] of sizes) {
        const root = rootHash(n, lookup);
        const froms =
          n <= 64 ? Array.from({ length: n }, (_, i) => i + 1) : [1, 2, 7, n >> 1, n - 1, n];
        for (const m of froms) {
          const proof = consistencyProof(m, n, lookup);
          const old = rootHash(m, lookup);
          expect({ m, n, ok: verifyConsistency(m, n, old, root, proof) }).toEqual({
            m,
            n,
            ok: true,
          });
          if (m < n) {
            expect(verifyConsistency(m, n, leafHash(old), root, proof)).toBe(false);
            expect(verifyConsistency(m, n, old, leafHash(root), proof)).toBe(false);
            if (proof.length > 0) {
              const altered = [...proof.slice(0, -1), leafHash(proof[proof.length - 1])];
              expect(verifyConsistency(m, n, old, root, altered)).toBe(false);
            }
          }
        }
      }
    });

    it('asks the store for at most a few subtrees per proof', () => {
      const wanted = subtreesFor((lookup) => inclusionProof(777, 1500, lookup));
      expect(wanted.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1500)));
      const consistency = subtreesFor((lookup) => consistencyProof(999, 1500, lookup));
      expect(consistency.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1500)));
    });
  });

  it('refuses proofs that cannot exist', () => {
    expect(() => inclusionProof(8, 8, store)).toThrow(RangeError);
    expect(() => consistencyProof(0, 8, store)).toThrow(RangeError);
    expect(() => consistencyProof(9, 8, store)).toThrow(RangeError);
    expect(verifyInclusion(8, 8, hashes[0], [], unhex(ROOTS[7]))).toBe(false);
    expect(verifyConsistency(9, 8, unhex(ROOTS[7]), unhex(ROOTS[7]), [])).toBe(false);
  });
});
