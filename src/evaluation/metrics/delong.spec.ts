import { auc } from './discrimination';
import { deLongTest } from './delong';
import { mulberry32 } from '../../../tests/support/onnx/credit-dataset';

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** DeLong's variance from the O(n₊·n₋) placement values, straight from the 1988 paper. */
function naiveDeLongSE(a: number[], b: number[], y: number[]): number {
  const pos = y.flatMap((v, i) => (v === 1 ? [i] : []));
  const neg = y.flatMap((v, i) => (v === 0 ? [i] : []));
  const psi = (x: number, z: number) => (x > z ? 1 : x === z ? 0.5 : 0);
  const place = (s: number[]) => ({
    v10: pos.map((i) => neg.reduce((acc, j) => acc + psi(s[i], s[j]), 0) / neg.length),
    v01: neg.map((j) => pos.reduce((acc, i) => acc + psi(s[i], s[j]), 0) / pos.length),
  });
  const pa = place(a);
  const pb = place(b);
  const cov = (x: number[], z: number[]) => {
    const mx = x.reduce((s, v) => s + v, 0) / x.length;
    const mz = z.reduce((s, v) => s + v, 0) / z.length;
    return x.reduce((s, v, i) => s + (v - mx) * (z[i] - mz), 0) / (x.length - 1);
  };
  const s10 = cov(pa.v10, pa.v10) + cov(pb.v10, pb.v10) - 2 * cov(pa.v10, pb.v10);
  const s01 = cov(pa.v01, pa.v01) + cov(pb.v01, pb.v01) - 2 * cov(pa.v01, pb.v01);
  return Math.sqrt(s10 / pos.length + s01 / neg.length);
}

describe('deLongTest', () => {
  it('matches a hand computation on four rows', () => {
    // labels [0, 0, 1, 1]; A = [0.1, 0.4, 0.35, 0.8], B = [0.2, 0.3, 0.6, 0.7].
    // A: V10(0.35) = (1 + 0)/2 = ½, V10(0.8) = 1; V01(0.1) = 1, V01(0.4) = (0 + 1)/2 = ½; AUC 0.75.
    // B separates perfectly: V10 = [1, 1], V01 = [1, 1]; AUC 1. Difference −0.25.
    // V10 differences [−½, 0]: sample variance ((−¼)² + (¼)²)/1 = 0.125; V01 likewise 0.125.
    // Var = 0.125/2 + 0.125/2 = 0.125 → SE = √0.125 = 0.3535534; z = −0.25/0.3535534 = −1/√2;
    // p = erfc(½) = 0.4795001221869535; CI = −0.25 ± 1.959964·0.3535534.
    const r = deLongTest([0.1, 0.4, 0.35, 0.8], [0.2, 0.3, 0.6, 0.7], [0, 0, 1, 1]);
    expect(r.aucA).toBeCloseTo(0.75, 12);
    expect(r.aucB).toBe(1);
    expect(r.difference).toBeCloseTo(-0.25, 12);
    expect(r.standardError).toBeCloseTo(Math.sqrt(0.125), 12);
    expect(r.z).toBeCloseTo(-Math.SQRT1_2, 12);
    expect(r.pValue).toBeCloseTo(0.4795001221869535, 12);
    expect(r.ci95[0]).toBeCloseTo(-0.25 - 1.959963984540054 * Math.sqrt(0.125), 12);
    expect(r.ci95[1]).toBeCloseTo(-0.25 + 1.959963984540054 * Math.sqrt(0.125), 12);
  });

  it('agrees with the quadratic-time DeLong on tied, correlated data', () => {
    const rand = mulberry32(42);
    const y: number[] = [];
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 250; i++) {
      const label = rand() < 0.35 ? 1 : 0;
      const noise = gaussian(rand);
      y.push(label);
      a.push(Math.round((label + noise) * 4) / 4); // coarse rounding → ties
      b.push(Math.round((0.6 * label + 0.7 * noise + 0.7 * gaussian(rand)) * 4) / 4);
    }
    const r = deLongTest(a, b, y);
    expect(r.aucA).toBeCloseTo(auc(a, y)!, 12);
    expect(r.aucB).toBeCloseTo(auc(b, y)!, 12);
    expect(r.standardError).toBeCloseTo(naiveDeLongSE(a, b, y), 12);
  });

  it('has a standard error within 15% of a 2,000-resample bootstrap', () => {
    const rand = mulberry32(20260101);
    const y: number[] = [];
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 400; i++) {
      const label = rand() < 0.4 ? 1 : 0;
      const shared = gaussian(rand);
      y.push(label);
      a.push(1.0 * label + shared);
      b.push(0.6 * label + 0.6 * shared + 0.8 * gaussian(rand));
    }
    const r = deLongTest(a, b, y);
    const pos = y.flatMap((v, i) => (v === 1 ? [i] : []));
    const neg = y.flatMap((v, i) => (v === 0 ? [i] : []));
    // Stratified bootstrap (resample positives and negatives separately, as pROC does).
    const diffs: number[] = [];
    const ra = new Float64Array(y.length);
    const rb = new Float64Array(y.length);
    const ry = new Uint8Array(y.length);
    for (let rep = 0; rep < 2000; rep++) {
      let k = 0;
      for (const group of [pos, neg]) {
        for (let t = 0; t < group.length; t++, k++) {
          const i = group[Math.floor(rand() * group.length)];
          ra[k] = a[i];
          rb[k] = b[i];
          ry[k] = y[i];
        }
      }
      diffs.push(auc(ra, ry)! - auc(rb, ry)!);
    }
    const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
    const bootSE = Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (diffs.length - 1));
    expect(r.difference).toBeGreaterThan(0.03); // a real difference, so the SE is not degenerate
    // With this seed the ratio is 0.979; the Monte Carlo error of a 2,000-draw SD is ~2%.
    expect(Math.abs(bootSE / r.standardError - 1)).toBeLessThan(0.15);
    // The interval is difference ± 1.96·SE and the bootstrap mean sits well inside it.
    expect(mean).toBeGreaterThan(r.ci95[0]);
    expect(mean).toBeLessThan(r.ci95[1]);
  });

  it('reports no z or p-value when the two scorings are identical', () => {
    const s = [0.1, 0.4, 0.35, 0.8, 0.5];
    const r = deLongTest(s, s, [0, 0, 1, 1, 0]);
    expect(r).toMatchObject({
      difference: 0,
      standardError: 0,
      z: null,
      pValue: null,
      ci95: [0, 0],
    });
  });

  it('rejects bad input naming the argument', () => {
    expect(() => deLongTest([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0, 1, 1])).toThrow(
      /^labels: need at least two positive and two negative rows$/,
    );
    expect(() => deLongTest([0.1, 0.2, 0.3, 0.4], [0.1, 0.2], [0, 0, 1, 1])).toThrow(
      /^scoresB: has 2 entries/,
    );
    expect(() => deLongTest([0.1, 0.2, 0.3, 0.4], [0.1, 0.2, NaN, 1], [0, 0, 1, 1])).toThrow(
      /^scoresB: entry 2/,
    );
  });
});
