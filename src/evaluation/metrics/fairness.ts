import {
  MetricInputError,
  requireBinary,
  requireNonEmpty,
  requireSameLength,
  type NumericArray,
} from './input';

export interface GroupRates {
  group: string;
  count: number;
  /** False when count < minGroupSize: reported, but left out of every aggregate. */
  assessable: boolean;
  /** Share predicted positive. */
  selectionRate: number;
  /** Predicted positive among label-1 rows; null when the group has none. */
  truePositiveRate: number | null;
  /** Predicted positive among label-0 rows; null when the group has none. */
  falsePositiveRate: number | null;
}

export interface Disparity {
  /** max − min over assessable groups where the rate is defined; null with fewer than one. */
  difference: number | null;
  /** min / max; null when undefined (no groups, or max = 0). */
  ratio: number | null;
}

export interface FairnessAssessment {
  groups: GroupRates[];
  minGroupSize: number;
  demographicParity: Disparity;
  /** Worst case of the TPR and FPR disparities (Fairlearn's default agg="worst_case"). */
  equalizedOdds: Disparity;
  /** TPR disparity. */
  equalOpportunity: Disparity;
}

/**
 * Group fairness of binary predictions as Fairlearn defines it
 * (between_groups): demographic parity difference = max − min selection
 * rate and ratio = min / max; equalized odds difference = the larger of the
 * TPR and FPR differences, ratio = the smaller of the TPR and FPR ratios;
 * equal opportunity difference/ratio = those of the TPR.
 *
 * Groups with fewer than minGroupSize rows are listed as not assessable and
 * left out of every aggregate; a group without label-1 (label-0) rows has no
 * TPR (FPR) and is left out of that rate's aggregate only. Groups are
 * returned sorted by name.
 */
export function fairness(
  labels: NumericArray,
  predicted: NumericArray,
  groups: ArrayLike<string>,
  minGroupSize = 1,
): FairnessAssessment {
  requireNonEmpty(labels, 'labels');
  requireSameLength(labels, 'labels', predicted, 'predicted');
  requireSameLength(labels, 'labels', groups, 'groups');
  requireBinary(labels, 'labels');
  requireBinary(predicted, 'predicted');
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) {
    throw new MetricInputError('minGroupSize', 'must be a positive integer');
  }
  // counts: [rows, predicted positive, label-1 rows, TP, label-0 rows, FP]
  const tallies = new Map<string, Float64Array>();
  for (let i = 0; i < labels.length; i++) {
    const group = groups[i];
    if (typeof group !== 'string')
      throw new MetricInputError('groups', `entry ${i} is not a string`);
    let t = tallies.get(group);
    if (!t) tallies.set(group, (t = new Float64Array(6)));
    const p = predicted[i];
    t[0]++;
    t[1] += p;
    if (labels[i] === 1) {
      t[2]++;
      t[3] += p;
    } else {
      t[4]++;
      t[5] += p;
    }
  }
  const rates: GroupRates[] = [...tallies.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((group) => {
      const t = tallies.get(group)!;
      return {
        group,
        count: t[0],
        assessable: t[0] >= minGroupSize,
        selectionRate: t[1] / t[0],
        truePositiveRate: t[2] === 0 ? null : t[3] / t[2],
        falsePositiveRate: t[4] === 0 ? null : t[5] / t[4],
      };
    });
  const assessable = rates.filter((r) => r.assessable);
  const selection = disparity(assessable.map((r) => r.selectionRate));
  const tpr = disparity(assessable.map((r) => r.truePositiveRate));
  const fpr = disparity(assessable.map((r) => r.falsePositiveRate));
  return {
    groups: rates,
    minGroupSize,
    demographicParity: selection,
    equalizedOdds: {
      difference: worst(tpr.difference, fpr.difference, Math.max),
      ratio: worst(tpr.ratio, fpr.ratio, Math.min),
    },
    equalOpportunity: tpr,
  };
}

function disparity(values: (number | null)[]): Disparity {
  const defined = values.filter((v): v is number => v !== null);
  if (defined.length === 0) return { difference: null, ratio: null };
  const max = Math.max(...defined);
  const min = Math.min(...defined);
  return { difference: max - min, ratio: max === 0 ? null : min / max };
}

/** Combines the TPR and FPR aggregates; when only one is defined, that one. */
function worst(
  a: number | null,
  b: number | null,
  pick: (x: number, y: number) => number,
): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return pick(a, b);
}
