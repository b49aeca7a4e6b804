import { checkScored, MetricInputError, requireProbabilities, type NumericArray } from './input';
import { ascendingOrder } from './ranks';
import { chiSquareSurvival } from './special-functions';

export interface CalibrationBin {
  count: number;
  minPredicted: number;
  maxPredicted: number;
  meanPredicted: number;
  observedRate: number;
}

export interface Calibration {
  bins: CalibrationBin[];
  /** Count-weighted mean of |observed rate − mean predicted| over the bins. */
  expectedCalibrationError: number;
  /** Σ (O − E)² / (E (1 − E/n)) over bins (O, E: observed and expected positives). */
  hosmerLemeshow: number;
  /** Number of non-empty bins − 2. */
  degreesOfFreedom: number;
  /** Chi-square upper tail of the statistic; null when degreesOfFreedom < 1. */
  pValue: number | null;
}

/**
 * Calibration over equal-count bins (default 10, the Hosmer–Lemeshow
 * deciles of risk). Rows are sorted by predicted probability (ties in row
 * order) and bin k takes sorted positions ⌊kn/g⌋ … ⌊(k+1)n/g⌋ − 1, so bin
 * sizes differ by at most one and tied scores may straddle a bin edge.
 * With fewer rows than bins, empty bins are dropped and df shrinks.
 *
 * A bin whose mean prediction is exactly 0 or 1 has zero variance: it adds 0
 * to the statistic when it matches its observations exactly, else makes it
 * Infinity (p-value 0).
 */
export function calibration(
  scores: NumericArray,
  labels: NumericArray,
  binCount = 10,
): Calibration {
  checkScored(scores, labels);
  requireProbabilities(scores, 'scores');
  if (!Number.isInteger(binCount) || binCount < 1) {
    throw new MetricInputError('binCount', 'must be a positive integer');
  }
  const n = scores.length;
  const order = ascendingOrder(scores);
  const bins: CalibrationBin[] = [];
  let ece = 0;
  let hl = 0;
  for (let k = 0; k < binCount; k++) {
    const start = Math.floor((k * n) / binCount);
    const end = Math.floor(((k + 1) * n) / binCount);
    const count = end - start;
    if (count === 0) continue;
    let expected = 0;
    let observed = 0;
    for (let p = start; p < end; p++) {
      expected += scores[order[p]];
      observed += labels[order[p]];
    }
    const meanPredicted = expected / count;
    const observedRate = observed / count;
    bins.push({
      count,
      minPredicted: scores[order[start]],
      maxPredicted: scores[order[end - 1]],
      meanPredicted,
      observedRate,
    });
    ece += (count / n) * Math.abs(observedRate - meanPredicted);
    const variance = expected * (1 - meanPredicted);
    const gap = observed - expected;
    if (variance > 0) hl += (gap * gap) / variance;
    else if (gap !== 0) hl = Infinity;
  }
  const degreesOfFreedom = bins.length - 2;
  return {
    bins,
    expectedCalibrationError: ece,
    hosmerLemeshow: hl,
    degreesOfFreedom,
    pValue: degreesOfFreedom < 1 ? null : chiSquareSurvival(hl, degreesOfFreedom),
  };
}
