import { deciles, frequencies } from '../../evaluation/metrics';
import { numericBin } from '../../serving/served-model';
import {
  PSI_FLOOR,
  baselineBelow,
  categoricalBaselineShares,
  numericBaselineShares,
  pooled,
  psi,
} from './psi';

/** mulberry32: a small seeded generator, so every run draws the same samples. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) shifted by `mean`. */
function normals(random: () => number, n: number, mean = 0): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = 1 - random();
    const v = random();
    out.push(mean + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

/** The distinct inner deciles: the edges a served version's binning carries. */
function edgesOf(values: number[]): number[] {
  const q = deciles(values).quantiles as number[];
  return [...new Set(q.slice(1, -1))];
}

function counts(edges: number[], values: number[]): number[] {
  const out = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) out[numericBin(edges, value)]++;
  return out;
}

describe('baseline shares', () => {
  it('gives each bin of a decile edge set a tenth', () => {
    const baseline = normals(seeded(1), 20_000);
    const shares = numericBaselineShares(deciles(baseline), edgesOf(baseline)) as number[];
    expect(shares).toHaveLength(10);
    for (const share of shares) expect(share).toBeCloseTo(0.1, 10);
  });

  it('gives a bin that ties merged the merged tenths, and nothing below the minimum', () => {
    // 70% zeros, then 1 … 30: deciles 1–6 are 0, so the edges are 0 and the upper deciles.
    const baseline = [
      ...new Array<number>(70).fill(0),
      ...Array.from({ length: 30 }, (_, i) => i + 1),
    ];
    const edges = edgesOf(baseline);
    expect(edges[0]).toBe(0);
    const shares = numericBaselineShares(deciles(baseline), edges) as number[];
    expect(shares[0]).toBe(0);
    // [0, next edge) holds the zeros: the seven merged tenths.
    expect(shares[1]).toBeCloseTo(0.7, 10);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    // Observed as the baseline was: the PSI is (close to) nothing.
    expect((psi(shares, counts(edges, baseline)) as { value: number }).value).toBeLessThan(0.01);
  });

  it('reads edges between the deciles off the quantile function, linearly', () => {
    const quantiles = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(baselineBelow(quantiles, 2.5)).toBeCloseTo(0.25, 12);
    expect(baselineBelow(quantiles, -1)).toBe(0);
    expect(baselineBelow(quantiles, 11)).toBe(1);
    expect(baselineBelow(quantiles, 10)).toBeCloseTo(1, 12);
  });

  it('shares categories by the baseline frequencies, the rest in the last bin', () => {
    const baseline = frequencies([...'aaaaabbbcd'].map(String));
    const shares = categoricalBaselineShares(baseline, ['a', 'b']) as number[];
    expect(shares).toEqual([0.5, 0.3, expect.closeTo(0.2, 12)]);
  });

  it('has no shares without a baseline', () => {
    expect(numericBaselineShares({ count: 0, missing: 3, quantiles: null }, [1])).toBeNull();
    expect(categoricalBaselineShares({ count: 0, missing: 3, values: [] }, ['a'])).toBeNull();
  });
});

describe('psi', () => {
  const baseline = normals(seeded(7), 20_000);
  const edges = edgesOf(baseline);
  const shares = numericBaselineShares(deciles(baseline), edges) as number[];

  it('stays under the warn level for a sample of the same distribution', () => {
    for (const seed of [11, 12, 13]) {
      const sample = normals(seeded(seed), 2000);
      const result = psi(shares, counts(edges, sample));
      expect(result?.value).toBeLessThan(0.02);
    }
  });

  it('passes the alert level for a shifted sample', () => {
    const sample = normals(seeded(21), 2000, 0.8);
    const result = psi(shares, counts(edges, sample));
    expect(result?.value).toBeGreaterThan(0.25);
    // Known figure: a 0.8 sd shift in deciles gives a PSI near 0.6.
    expect(result?.value).toBeGreaterThan(0.45);
    expect(result?.value).toBeLessThan(0.8);
  });

  it('floors empty bins on both sides', () => {
    const result = psi([0.5, 0.5, 0], [0, 10, 10]);
    const f = PSI_FLOOR;
    const expected = (f - 0.5) * Math.log(f / 0.5) + 0 + (0.5 - f) * Math.log(0.5 / f);
    expect(result?.value).toBeCloseTo(expected, 5);
    expect(Number.isFinite(result?.value)).toBe(true);
    expect(result?.bins).toEqual([
      { baseline: 0.5, observed: 0 },
      { baseline: 0.5, observed: 0.5 },
      { baseline: 0, observed: 0.5 },
    ]);
  });

  it('has no figure without observations, and refuses mismatched bins', () => {
    expect(psi([0.5, 0.5], [0, 0])).toBeNull();
    expect(() => psi([1], [1, 2])).toThrow(RangeError);
  });

  it('pools batches binned alike, and refuses to pool different bins', () => {
    expect(
      pooled([
        { edges: [1], counts: [1, 2], missing: 1 },
        { edges: [1], counts: [3, 4], missing: 0 },
      ]),
    ).toEqual({ edges: [1], counts: [4, 6], missing: 1 });
    expect(
      pooled([
        { edges: [1], counts: [1, 2], missing: 1 },
        { edges: [2], counts: [3, 4], missing: 0 },
      ]),
    ).toBeNull();
  });
});
