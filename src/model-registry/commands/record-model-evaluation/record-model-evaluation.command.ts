import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RecordEvaluation } from '../../model.decider';

export class RecordModelEvaluationCommand {
  constructor(
    /**
     * Everything the evaluation states; its id is created by the handler unless given (an
     * evaluation run's id, so a retried run can never record twice).
     */
    readonly input: Omit<RecordEvaluation['data'], 'evaluationId'> & { evaluationId?: string },
    readonly context: CommandContext,
  ) {}
}
