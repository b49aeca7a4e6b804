import type { MeasuredFairness } from '../evaluation-policy';
import {
  auc,
  brierScore,
  calibration,
  deciles,
  deLongTest,
  fairness,
  frequencies,
  ksStatistic,
  maxAbsoluteDifference,
  predictAtThreshold,
  thresholdMetrics,
  type Frequencies,
  type NumericArray,
} from '../metrics';
import type { EvaluationJob, EvaluationMeasures } from '../service-evaluation';
import type { ColumnStore, TextColumn } from './columns';
import { EvaluationFailed } from './evaluation-failed';

/** The value a category seen in fewer than minCategoryCount rows is reported as. */
export const OTHER_CATEGORY = '(other)';

export type ScoredRows = {
  store: ColumnStore;
  rows: number;
  scores: Float64Array;
  championScores: Float64Array | null;
  /** Columns of the candidate's numeric and categorical (string, bool) inputs. */
  numericInputs: string[];
  categoricalInputs: string[];
  /** The input columns' baseline when already measured (by the reader thread, while scoring). */
  inputDistribution?: InputDistribution;
};

export type InputDistribution = Omit<EvaluationMeasures['distribution'], 'score'>;

/** The inputs' list of columns whose baseline the evaluation keeps. */
export type DistributionColumns = {
  numeric: string[];
  categorical: string[];
  minCategoryCount: number;
};

/** Deciles of each numeric input column, pooled value counts of each categorical one. */
export function inputDistribution(
  columns: DistributionColumns,
  numeric: (name: string) => Float64Array,
  text: (name: string) => TextColumn,
  rows: number,
): InputDistribution {
  return {
    numeric: Object.fromEntries(
      columns.numeric.map((name) => [name, deciles(numeric(name).subarray(0, rows))]),
    ),
    categorical: Object.fromEntries(
      columns.categorical.map((name) => [
        name,
        pooledFrequencies(text(name), rows, columns.minCategoryCount),
      ]),
    ),
  };
}

/** The label column as 0/1: the positive label's rows 1, every other row 0. */
export function binaryLabels(job: EvaluationJob, label: TextColumn, rows: number): Uint8Array {
  const distinct = label.dictionary.length;
  if (distinct > 2) {
    throw new EvaluationFailed(
      `the label column ${job.labelColumn} has ${distinct} distinct values; an evaluation needs a binary label`,
      'labelColumn',
    );
  }
  const positiveCode = label.lookup.get(job.positiveLabel);
  if (positiveCode === undefined) {
    throw new EvaluationFailed(
      `the positive label is not among the values of the label column ${job.labelColumn}`,
      'positiveLabel',
    );
  }
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) labels[i] = label.codes[i] === positiveCode ? 1 : 0;
  return labels;
}

/** Everything measured on the scored rows (timings left for the caller). */
export function measure(
  job: EvaluationJob,
  scored: ScoredRows,
  labels: Uint8Array,
): Omit<EvaluationMeasures, 'timings'> {
  const { store, rows } = scored;
  const scores = scored.scores.subarray(0, rows);
  let positives = 0;
  for (let i = 0; i < rows; i++) positives += labels[i];
  const negatives = rows - positives;
  if (positives < 2 || negatives < 2) {
    throw new EvaluationFailed(
      `the dataset has ${positives} positive and ${negatives} negative rows; an evaluation needs at least two of each`,
      'positiveLabel',
    );
  }
  for (let i = 0; i < rows; i++) {
    const score = scores[i];
    if (!(score >= 0 && score <= 1)) {
      throw new EvaluationFailed(
        Number.isNaN(score)
          ? `the score output ${job.candidate.scoreOutput} gave a NaN score on line ${store.lines[i]}`
          : `the score output ${job.candidate.scoreOutput} gave a score outside [0, 1] on line ${store.lines[i]}; calibration needs probabilities: name a probability output (after the sigmoid or softmax)`,
        'scoreOutput',
      );
    }
  }
  const championScores = scored.championScores?.subarray(0, rows) ?? null;
  if (championScores) {
    for (let i = 0; i < rows; i++) {
      if (!Number.isFinite(championScores[i])) {
        throw new EvaluationFailed(
          `the champion's score output ${job.champion!.scoreOutput} gave a score that is not a finite number on line ${store.lines[i]}`,
          'champion.scoreOutput',
        );
      }
    }
  }
  const predicted = predictAtThreshold(scores, job.threshold);
  return {
    rows,
    positives,
    ...scoreMetrics(scores, labels, job.threshold),
    champion: championScores ? championComparison(scores, championScores, labels) : null,
    fairness: job.protectedAttributes.map((attribute) =>
      measuredFairness(
        attribute,
        store.text.get(attribute)!.strings(rows),
        labels,
        predicted,
        job.minGroupSize,
      ),
    ),
    distribution: {
      score: deciles(scores),
      ...(scored.inputDistribution ??
        inputDistribution(
          {
            numeric: scored.numericInputs,
            categorical: scored.categoricalInputs,
            minCategoryCount: job.minCategoryCount,
          },
          (name) => store.numeric.get(name)!.values,
          (name) => store.text.get(name)!,
          rows,
        )),
    },
    pipelineAgreement:
      job.pipelineScoreColumn === null
        ? null
        : {
            column: job.pipelineScoreColumn,
            maxAbsoluteDifference: maxAbsoluteDifference(
              store.numeric.get(job.pipelineScoreColumn)!.values.subarray(0, rows),
              scores,
            ).maxAbsoluteDifference,
          },
  };
}

/**
 * The discrimination and calibration measures of probability scores against 0/1 labels, at the
 * threshold. The labels hold both classes (checked by `measure`), so the AUC and KS are defined.
 */
export function scoreMetrics(
  scores: NumericArray,
  labels: NumericArray,
  threshold: number,
): Pick<EvaluationMeasures, 'metrics' | 'calibrationBins'> {
  const at = thresholdMetrics(scores, labels, threshold);
  // Gini = 2·AUC − 1.
  const area = auc(scores, labels)!;
  const calibrated = calibration(scores, labels, 10);
  return {
    metrics: {
      auc: area,
      gini: 2 * area - 1,
      ks: ksStatistic(scores, labels)!,
      brier: brierScore(scores, labels),
      accuracy: at.accuracy,
      precision: at.precision,
      recall: at.recall,
      f1: at.f1,
      ece: calibrated.expectedCalibrationError,
      hosmerLemeshow: {
        statistic: calibrated.hosmerLemeshow,
        degreesOfFreedom: calibrated.degreesOfFreedom,
        pValue: calibrated.pValue,
      },
    },
    calibrationBins: calibrated.bins,
  };
}

/** The candidate's scores compared with the champion's on the same rows (DeLong's test). */
export function championComparison(
  scores: NumericArray,
  championScores: NumericArray,
  labels: NumericArray,
): NonNullable<EvaluationMeasures['champion']> {
  const test = deLongTest(scores, championScores, labels);
  return {
    auc: test.aucB,
    difference: test.difference,
    standardError: test.standardError,
    z: test.z,
    pValue: test.pValue,
    lower95: test.ci95[0],
    upper95: test.ci95[1],
  };
}

/** The fairness of the predictions at the threshold across the groups of one protected attribute. */
export function measuredFairness(
  attribute: string,
  groups: ArrayLike<string>,
  labels: NumericArray,
  predicted: NumericArray,
  minGroupSize: number,
): MeasuredFairness {
  const assessed = fairness(labels, predicted, groups, minGroupSize);
  return {
    attribute,
    groups: assessed.groups.map((group) => ({
      group: group.group,
      count: group.count,
      selectionRate: group.selectionRate,
      tpr: group.truePositiveRate,
      fpr: group.falsePositiveRate,
    })),
    demographicParityRatio: assessed.demographicParity.ratio,
    demographicParityDifference: assessed.demographicParity.difference,
    equalizedOddsRatio: assessed.equalizedOdds.ratio,
    equalizedOddsDifference: assessed.equalizedOdds.difference,
    equalOpportunityDifference: assessed.equalOpportunity.difference,
  };
}

/**
 * Value counts of a categorical input (an empty cell counts as missing), with every value seen in
 * fewer than `minCount` rows pooled as `(other)`: a rare value never leaves the worker.
 */
export function pooledFrequencies(column: TextColumn, rows: number, minCount: number): Frequencies {
  const values = column.strings(rows).map((value) => (value === '' ? null : value));
  const all = frequencies(values);
  const kept = all.values.filter(
    (entry) => entry.count >= minCount && entry.value !== OTHER_CATEGORY,
  );
  const pooled = all.count - kept.reduce((sum, entry) => sum + entry.count, 0);
  if (pooled > 0) kept.push({ value: OTHER_CATEGORY, count: pooled, share: pooled / all.count });
  kept.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { count: all.count, missing: all.missing, values: kept };
}
