import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '../../../ledger/commands/command-context';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { approvalPolicyDecider } from '../../approval-policy.decider';
import { approvalDecider } from '../../approval.decider';
import { modelFacts, modelVersionFacts } from '../../model-version-facts';
import { RequestApprovalCommand } from './request-approval.command';

@CommandHandler(RequestApprovalCommand)
export class RequestApprovalHandler implements ICommandHandler<RequestApprovalCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RequestApprovalCommand): Promise<WriteResult> {
    // Cross-stream facts: the version and its evaluations, and the policy in force.
    const model = await this.writer.load(modelFacts, streams.model(input.model));
    const policy = await this.writer.load(approvalPolicyDecider, streams.approvalPolicy());
    const approvalId = newId(context, 'approval');
    const outcome = await this.writer.execute(
      streams.approval(approvalId),
      approvalDecider,
      {
        type: 'RequestApproval',
        data: { approvalId, ...input },
        modelVersion: modelVersionFacts(model, input.version),
        policy: policy.state.tiers,
        actor: context.actor.sub,
        now: context.now,
      },
      context,
      { fresh: true },
    );
    return writeResult(approvalId, outcome);
  }
}
