import { createHash } from 'node:crypto';
import { ReceiptTree, verifyReceiptInclusion } from './receipt-tree';
import { leafHash, nodeHash } from '../integrity/merkle';

const hashOf = (n: number) => createHash('sha256').update(String(n)).digest('hex');

describe('ReceiptTree', () => {
  it('is the RFC 9162 tree: one leaf is its leaf hash, two are their node hash', () => {
    const [a, b] = [hashOf(1), hashOf(2)];
    const leaf = (hex: string) => leafHash(Buffer.from(hex, 'hex'));
    expect(new ReceiptTree([a]).root()).toBe(leaf(a).toString('hex'));
    expect(new ReceiptTree([a, b]).root()).toBe(nodeHash(leaf(a), leaf(b)).toString('hex'));
  });

  it.each([1, 2, 3, 5, 8, 13, 100])('proves every leaf of %i and nothing else', (size) => {
    const hashes = Array.from({ length: size }, (_, i) => hashOf(i));
    const tree = new ReceiptTree(hashes);
    const root = tree.root();
    for (let i = 0; i < size; i++) {
      const proof = tree.proof(i);
      expect(verifyReceiptInclusion(hashes[i], i, size, proof, root)).toBe(true);
      expect(verifyReceiptInclusion(hashOf(i + 1000), i, size, proof, root)).toBe(false);
      if (size > 1) {
        expect(verifyReceiptInclusion(hashes[i], (i + 1) % size, size, proof, root)).toBe(false);
      }
    }
  });
});
