import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RecordEvaluation } from '../../model.decider';

export class RecordModelEvaluationCommand {
  constructor(
    /** Everything the evaluation states except its id, which the handler creates. */
    readonly input: Omit<RecordEvaluation['data'], 'evaluationId'>,
    readonly context: CommandContext,
  ) {}
}
