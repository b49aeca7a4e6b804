import type { Deciles, Frequencies } from '../../evaluation/metrics';
import type { BinnedCounts } from '../../predictions/prediction.events';

/**
 * The population stability index (README, "Monitoring by Attest"):
 *
 *   PSI = Σ over bins (observed share − baseline share) · ln(observed share / baseline share)
 *
 * with every share floored at PSI_FLOOR on both sides before the sum, so an empty bin counts as
 * a small share rather than an infinite term.
 */
export const PSI_FLOOR = 1e-4;

/** One bin as a drift signal shows it: its shares before flooring. */
export type PsiBin = { baseline: number; observed: number };

export type PsiResult = { value: number; bins: PsiBin[]; observed: number };

/**
 * The share of the baseline below `edge` (the bins hold edges[i−1] ≤ v < edges[i]), read off the
 * baseline's quantiles at p = 0, 0.1, …, 1 with the quantile function taken as linear between
 * them: sup { p : Q(p) < edge }. An edge that is itself the k-th decile gives exactly k/10, so
 * each bin of a decile edge set holds a tenth; where ties merged deciles (a value held by many
 * rows) the merged bin carries the merged tenths, and below the minimum it is 0, above the
 * maximum 1.
 */
export function baselineBelow(quantiles: readonly number[], edge: number): number {
  const last = quantiles.length - 1;
  if (!(edge > quantiles[0])) return 0;
  if (edge > quantiles[last]) return 1;
  // The last quantile below the edge: the next one is at or above it.
  let k = 0;
  while (k + 1 < last && quantiles[k + 1] < edge) k++;
  const span = quantiles[k + 1] - quantiles[k];
  const within = span > 0 ? (edge - quantiles[k]) / span : 1;
  return (k + Math.min(1, within)) / last;
}

/** Baseline share per numeric bin (edges.length + 1 of them); null when the baseline had no values. */
export function numericBaselineShares(
  baseline: Deciles,
  edges: readonly number[],
): number[] | null {
  const quantiles = baseline.quantiles;
  if (!quantiles || quantiles.length < 2) return null;
  const below = [0, ...edges.map((edge) => baselineBelow(quantiles, edge)), 1];
  return below.slice(1).map((cumulative, i) => Math.max(0, cumulative - below[i]));
}

/**
 * Baseline share per categorical bin: each listed category's share of the baseline's non-missing
 * rows, and the last bin (any other value, `(other)` pooled rare values included) the rest.
 */
export function categoricalBaselineShares(
  baseline: Frequencies,
  categories: readonly string[],
): number[] | null {
  if (baseline.count === 0) return null;
  const share = new Map(baseline.values.map((entry) => [entry.value, entry.share]));
  const listed = categories.map((category) => share.get(category) ?? 0);
  const rest = Math.max(0, 1 - listed.reduce((sum, s) => sum + s, 0));
  return [...listed, rest];
}

/**
 * PSI of observed counts against baseline shares (same bins, missing values left out of both).
 * Null when nothing was observed. The value is rounded to 6 decimals: the figure a signal
 * records, and the same on every replay.
 */
export function psi(baseline: readonly number[], counts: readonly number[]): PsiResult | null {
  if (baseline.length !== counts.length) {
    throw new RangeError(`${counts.length} counts against ${baseline.length} baseline bins`);
  }
  const observed = counts.reduce((sum, n) => sum + n, 0);
  if (observed === 0) return null;
  let value = 0;
  const bins: PsiBin[] = [];
  for (let i = 0; i < counts.length; i++) {
    const o = counts[i] / observed;
    const e = baseline[i];
    const of = Math.max(o, PSI_FLOOR);
    const ef = Math.max(e, PSI_FLOOR);
    value += (of - ef) * Math.log(of / ef);
    bins.push({ baseline: round(e), observed: round(o) });
  }
  return { value: round(value), bins, observed };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Bins of one distribution in several batches added up; null when their bins differ. */
export function pooled(distributions: readonly BinnedCounts[]): BinnedCounts | null {
  const [first] = distributions;
  if (!first) return null;
  const key = (d: BinnedCounts) => JSON.stringify([d.edges ?? null, d.categories ?? null]);
  const counts = [...first.counts];
  let missing = first.missing;
  for (const other of distributions.slice(1)) {
    if (key(other) !== key(first) || other.counts.length !== counts.length) return null;
    other.counts.forEach((n, i) => (counts[i] += n));
    missing += other.missing;
  }
  return { ...first, counts, missing };
}
