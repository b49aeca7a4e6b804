import type { CommandBus } from '@nestjs/cqrs';
import type {
  EvaluationPassedHook,
  PassedEvaluation,
} from '../../../evaluation/runs/evaluation-runner';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApproveAutomaticallyCommand } from './approve-automatically.command';

/**
 * What to run after a passing service-run evaluation is recorded (README, "Approval on a passing
 * evaluation"): ApproveAutomaticallyCommand for the run's version and environment, under the
 * run's context (its requester as the actor). Null where it does not apply.
 */
export function approveAfterPassingRun(
  commands: CommandBus,
  passed: PassedEvaluation,
): Promise<WriteResult | null> {
  const { model, version, environment, evaluationId } = passed;
  return commands.execute(
    new ApproveAutomaticallyCommand({ model, version, environment, evaluationId }, passed.context),
  );
}

/** The same as an EVALUATION_PASSED_HOOK, for the evaluation runner to call. */
export function automaticApprovalHook(commands: CommandBus): EvaluationPassedHook {
  return async (passed) => {
    await approveAfterPassingRun(commands, passed);
  };
}
