/**
 * Shared input checks for the evaluation metrics. Every metric is a pure
 * function over parallel arrays (one entry per holdout row); a bad input
 * throws a MetricInputError naming the offending argument so a caller can
 * turn it into a 4xx response. Messages carry positions and counts only,
 * never row values, so nothing personal can leak through them.
 */
export type NumericArray = ArrayLike<number>;

export class MetricInputError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'MetricInputError';
  }
}

export function requireNonEmpty(values: ArrayLike<unknown>, field: string): void {
  if (values.length === 0) throw new MetricInputError(field, 'must not be empty');
}

export function requireSameLength(
  a: ArrayLike<unknown>,
  fieldA: string,
  b: ArrayLike<unknown>,
  fieldB: string,
): void {
  if (a.length !== b.length) {
    throw new MetricInputError(fieldB, `has ${b.length} entries but ${fieldA} has ${a.length}`);
  }
}

export function requireFinite(values: NumericArray, field: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new MetricInputError(field, `entry ${i} is not a finite number`);
    }
  }
}

export function requireProbabilities(values: NumericArray, field: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) {
      throw new MetricInputError(field, `entry ${i} is not a probability in [0, 1]`);
    }
  }
}

/** Labels are 0 (negative) or 1 (positive); returns the number of positives. */
export function requireBinary(values: NumericArray, field: string): number {
  let positives = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 1) positives++;
    else if (v !== 0) throw new MetricInputError(field, `entry ${i} is not 0 or 1`);
  }
  return positives;
}

/** Scores and labels of the same non-empty length, scores finite, labels 0/1. */
export function checkScored(
  scores: NumericArray,
  labels: NumericArray,
  scoresField = 'scores',
  labelsField = 'labels',
): { positives: number; negatives: number } {
  requireNonEmpty(scores, scoresField);
  requireSameLength(scores, scoresField, labels, labelsField);
  requireFinite(scores, scoresField);
  const positives = requireBinary(labels, labelsField);
  return { positives, negatives: labels.length - positives };
}
