import { checkScored, MetricInputError, requireProbabilities, type NumericArray } from './input';
import { ascendingOrder, midranks } from './ranks';

/**
 * Area under the ROC curve as the Mann–Whitney U statistic: the share of
 * (positive, negative) pairs the score orders correctly, a tied pair counting
 * one half. Computed from mid-ranks, so O(n log n):
 *   AUC = (R₊ − n₊(n₊+1)/2) / (n₊ n₋), R₊ the sum of the positives' mid-ranks.
 * Returns null when the labels hold only one class (no pairs: AUC undefined).
 */
export function auc(scores: NumericArray, labels: NumericArray): number | null {
  const { positives, negatives } = checkScored(scores, labels);
  if (positives === 0 || negatives === 0) return null;
  const ranks = midranks(scores);
  let positiveRankSum = 0;
  for (let i = 0; i < ranks.length; i++) if (labels[i] === 1) positiveRankSum += ranks[i];
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Gini = 2·AUC − 1; null when AUC is undefined (one class only). */
export function gini(scores: NumericArray, labels: NumericArray): number | null {
  const a = auc(scores, labels);
  return a === null ? null : 2 * a - 1;
}

/**
 * Kolmogorov–Smirnov statistic: max over thresholds t of |TPR(t) − FPR(t)|
 * with "score ≥ t → positive", t running over every distinct score (tied
 * scores move together). Null when the labels hold only one class.
 */
export function ksStatistic(scores: NumericArray, labels: NumericArray): number | null {
  const { positives, negatives } = checkScored(scores, labels);
  if (positives === 0 || negatives === 0) return null;
  const order = ascendingOrder(scores);
  let truePositives = 0;
  let falsePositives = 0;
  let best = 0;
  // Walk from the highest score down; after each tie group the threshold is that score.
  let i = order.length - 1;
  while (i >= 0) {
    const value = scores[order[i]];
    while (i >= 0 && scores[order[i]] === value) {
      if (labels[order[i]] === 1) truePositives++;
      else falsePositives++;
      i--;
    }
    const gap = Math.abs(truePositives / positives - falsePositives / negatives);
    if (gap > best) best = gap;
  }
  return best;
}

/** Brier score: mean squared difference between predicted probability and label. */
export function brierScore(scores: NumericArray, labels: NumericArray): number {
  checkScored(scores, labels);
  requireProbabilities(scores, 'scores');
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const d = scores[i] - labels[i];
    sum += d * d;
  }
  return sum / scores.length;
}

export interface ThresholdMetrics {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  accuracy: number;
  /** TP / (TP + FP); null when nothing is predicted positive (0/0). */
  precision: number | null;
  /** TP / (TP + FN); null when there are no positive labels (0/0). */
  recall: number | null;
  /**
   * 2TP / (2TP + FP + FN) — the harmonic mean of precision and recall where
   * both exist, 0 when either is 0 or when only one exists (as scikit-learn
   * reports it); null only when there are no positive labels and nothing is
   * predicted positive (0/0).
   */
  f1: number | null;
}

/** Confusion-matrix metrics with "score ≥ threshold → predicted positive". */
export function thresholdMetrics(
  scores: NumericArray,
  labels: NumericArray,
  threshold: number,
): ThresholdMetrics {
  checkScored(scores, labels);
  if (!Number.isFinite(threshold))
    throw new MetricInputError('threshold', 'must be a finite number');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  const ratio = (num: number, den: number) => (den === 0 ? null : num / den);
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    accuracy: (tp + tn) / scores.length,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}

/** 1 where score ≥ threshold, else 0 — the predictions the fairness measures take. */
export function predictAtThreshold(scores: NumericArray, threshold: number): Uint8Array {
  if (!Number.isFinite(threshold))
    throw new MetricInputError('threshold', 'must be a finite number');
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] >= threshold ? 1 : 0;
  return out;
}
