import type { CommandContext } from '../../../ledger/commands/command-context';
import type { SetEvaluationPolicy } from '../../evaluation-policy.decider';

export class SetEvaluationPolicyCommand {
  constructor(
    readonly input: SetEvaluationPolicy['data'],
    readonly context: CommandContext,
  ) {}
}
