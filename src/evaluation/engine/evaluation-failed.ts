/**
 * An evaluation that cannot be run on this model and dataset, with a sentence a user can act on.
 * It names the setting, input, column or line at fault (`field`: the setting's path, such as
 * `labelColumn`, `columns.features`, `champion.scoreOutput`, or `dataset`), never a value from a
 * row: a value may be personal data (README, "Evaluation runs").
 */
export class EvaluationFailed extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'EvaluationFailed';
  }
}
