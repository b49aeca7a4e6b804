import { MetricInputError, requireSameLength, type NumericArray } from './input';

export interface Deciles {
  /** Finite values used. */
  count: number;
  /** Entries that were NaN or ±Infinity (treated as missing). */
  missing: number;
  /**
   * Quantiles at p = 0, 0.1, …, 1 (minimum, nine deciles, maximum) by
   * Hyndman & Fan type 7, numpy's and R's default: with the finite values
   * sorted x₀ ≤ … ≤ x_{n−1}, h = (n − 1)p and
   *   Q(p) = x_⌊h⌋ + (h − ⌊h⌋)(x_{⌊h⌋+1} − x_⌊h⌋).
   * Null when there are no finite values.
   */
  quantiles: number[] | null;
}

export function deciles(values: NumericArray): Deciles {
  const finite = new Float64Array(values.length);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new MetricInputError('values', `entry ${i} is not a number`);
    if (Number.isFinite(v)) finite[count++] = v;
  }
  const sorted = finite.subarray(0, count).sort();
  const missing = values.length - count;
  if (count === 0) return { count, missing, quantiles: null };
  const quantiles: number[] = [];
  for (let k = 0; k <= 10; k++) quantiles.push(type7(sorted, k / 10));
  return { count, missing, quantiles };
}

function type7(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface Frequencies {
  /** Rows with a value (not null/undefined). */
  count: number;
  missing: number;
  /** Distinct values, most frequent first, ties by value (code-unit order). */
  values: { value: string; count: number; share: number }[];
}

/** Value counts of a categorical column; null/undefined count as missing, shares are of non-missing rows. */
export function frequencies(values: ArrayLike<string | null | undefined>): Frequencies {
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      missing++;
      continue;
    }
    if (typeof v !== 'string') throw new MetricInputError('values', `entry ${i} is not a string`);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const count = values.length - missing;
  return {
    count,
    missing,
    values: [...counts]
      .sort(([va, ca], [vb, cb]) => cb - ca || (va < vb ? -1 : va > vb ? 1 : 0))
      .map(([value, c]) => ({ value, count: c, share: c / count })),
  };
}

/**
 * Largest |a[i] − b[i]| — how far two scorings of the same rows (the
 * pipeline's recorded predictions and onnxruntime's) drift apart — and the
 * first row where it occurs.
 */
export function maxAbsoluteDifference(
  a: NumericArray,
  b: NumericArray,
): { maxAbsoluteDifference: number; row: number } {
  if (a.length === 0) throw new MetricInputError('a', 'must not be empty');
  requireSameLength(a, 'a', b, 'b');
  let best = -1;
  let row = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      throw new MetricInputError('a', `entry ${i} is not a finite number`);
    if (!Number.isFinite(b[i]))
      throw new MetricInputError('b', `entry ${i} is not a finite number`);
    const d = Math.abs(a[i] - b[i]);
    if (d > best) {
      best = d;
      row = i;
    }
  }
  return { maxAbsoluteDifference: best, row };
}
