import type { CommandContext } from '../../../ledger/commands/command-context';

/**
 * A passing service-run evaluation was just recorded: approve the version for its environment
 * when the approval policy has no human stage there (low risk only; README, "Governance
 * workflow"). The evaluation-run side sends it after recording the ModelEvaluated; the answer is
 * null when it does not apply (a tier with stages, already approved or requested, or no
 * qualifying evaluation).
 */
export class ApproveAutomaticallyCommand {
  constructor(
    readonly input: { model: string; version: string; environment: string; evaluationId: string },
    readonly context: CommandContext,
  ) {}
}
