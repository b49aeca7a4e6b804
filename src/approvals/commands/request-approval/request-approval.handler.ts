import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '../../../ledger/commands/command-context';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { evaluationPolicyDecider } from '../../../evaluation/evaluation-policy.decider';
import { approvalPolicyDecider } from '../../approval-policy.decider';
import { approvalDecider } from '../../approval.decider';
import { modelFacts, modelVersionFacts } from '../../model-version-facts';
import { RequestApprovalCommand } from './request-approval.command';

@CommandHandler(RequestApprovalCommand)
export class RequestApprovalHandler implements ICommandHandler<RequestApprovalCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RequestApprovalCommand): Promise<WriteResult> {
    const approvalId = newId(context, 'approval');
    // Cross-stream facts, conditions of the append: the version and its evaluations, the
    // approval policy in force and the evaluation policy's version (a policy change racing the
    // request makes the append fail and the request decided again).
    const outcome = await this.writer.execute(
      streams.approval(approvalId),
      approvalDecider,
      async (facts) => ({
        type: 'RequestApproval' as const,
        data: { approvalId, ...input },
        modelVersion: modelVersionFacts(
          await facts.load(modelFacts, streams.model(input.model)),
          input.version,
        ),
        policy: (await facts.state(approvalPolicyDecider, streams.approvalPolicy())).tiers,
        evaluationPolicyVersion: (
          await facts.state(evaluationPolicyDecider, streams.evaluationPolicy())
        ).version,
        actor: context.actor.sub,
        now: context.now,
      }),
      context,
      { fresh: true },
    );
    return writeResult(approvalId, outcome);
  }
}
