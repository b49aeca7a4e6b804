import type { CommandContext } from '../../../ledger/commands/command-context';
import type { EvaluationRequest } from '../../runs/evaluation-plan';

export class StartEvaluationRunCommand {
  constructor(
    readonly input: EvaluationRequest,
    readonly context: CommandContext,
  ) {}
}
