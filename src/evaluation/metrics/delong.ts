import {
  checkScored,
  MetricInputError,
  requireFinite,
  requireSameLength,
  type NumericArray,
} from './input';
import { midranks } from './ranks';
import { twoSidedNormalP, Z_975 } from './special-functions';

export interface DeLongComparison {
  aucA: number;
  aucB: number;
  /** aucA − aucB. */
  difference: number;
  standardError: number;
  /** difference / standardError; null when the standard error is 0 (e.g. identical scores). */
  z: number | null;
  /** Two-sided normal p-value; null when z is null. */
  pValue: number | null;
  /** difference ± 1.95996·SE. */
  ci95: [number, number];
}

/**
 * Paired DeLong test for the difference of two AUCs scored on the same rows
 * (DeLong, DeLong & Clarke-Pearson 1988), in the O(n log n) form of Sun & Xu
 * (2014): with mid-ranks over all rows (T_Z), over positives only (T_X) and
 * over negatives only (T_Y), the structural components are
 *   V10(x_i) = (T_Z(x_i) − T_X(x_i)) / n₋   for each positive x_i,
 *   V01(y_j) = 1 − (T_Z(y_j) − T_Y(y_j)) / n₊ for each negative y_j,
 * AUC is the mean of V10, and
 *   Var(AUC_A − AUC_B) = (S10_AA + S10_BB − 2 S10_AB) / n₊ + (S01_AA + S01_BB − 2 S01_AB) / n₋
 * with S10, S01 the sample covariance matrices (divisor n − 1) of the components.
 * Needs at least two positives and two negatives; throws otherwise.
 */
export function deLongTest(
  scoresA: NumericArray,
  scoresB: NumericArray,
  labels: NumericArray,
): DeLongComparison {
  const { positives, negatives } = checkScored(scoresA, labels, 'scoresA');
  requireSameLength(scoresA, 'scoresA', scoresB, 'scoresB');
  requireFinite(scoresB, 'scoresB');
  if (positives < 2 || negatives < 2) {
    throw new MetricInputError('labels', 'need at least two positive and two negative rows');
  }
  const positiveRows = new Uint32Array(positives);
  const negativeRows = new Uint32Array(negatives);
  for (let i = 0, p = 0, q = 0; i < labels.length; i++) {
    if (labels[i] === 1) positiveRows[p++] = i;
    else negativeRows[q++] = i;
  }
  const a = components(scoresA, positiveRows, negativeRows);
  const b = components(scoresB, positiveRows, negativeRows);
  const aucA = mean(a.v10);
  const aucB = mean(b.v10);
  const difference = aucA - aucB;
  const variance =
    differenceVariance(a.v10, b.v10) / positives + differenceVariance(a.v01, b.v01) / negatives;
  const standardError = Math.sqrt(Math.max(0, variance));
  const z = standardError > 0 ? difference / standardError : null;
  return {
    aucA,
    aucB,
    difference,
    standardError,
    z,
    pValue: z === null ? null : twoSidedNormalP(z),
    ci95: [difference - Z_975 * standardError, difference + Z_975 * standardError],
  };
}

function components(
  scores: NumericArray,
  positiveRows: Uint32Array,
  negativeRows: Uint32Array,
): { v10: Float64Array; v01: Float64Array } {
  const m = positiveRows.length;
  const n = negativeRows.length;
  const all = midranks(scores);
  const tx = midranks(scores, positiveRows);
  const ty = midranks(scores, negativeRows);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  for (let i = 0; i < m; i++) v10[i] = (all[positiveRows[i]] - tx[i]) / n;
  for (let j = 0; j < n; j++) v01[j] = 1 - (all[negativeRows[j]] - ty[j]) / m;
  return { v10, v01 };
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Sample variance (divisor k − 1) of a − b, i.e. S_AA + S_BB − 2 S_AB. */
function differenceVariance(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  let meanDiff = 0;
  for (let i = 0; i < k; i++) meanDiff += a[i] - b[i];
  meanDiff /= k;
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const d = a[i] - b[i] - meanDiff;
    sum += d * d;
  }
  return sum / (k - 1);
}
