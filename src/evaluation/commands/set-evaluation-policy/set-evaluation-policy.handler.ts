import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { EVALUATION_POLICY_ID, evaluationPolicyDecider } from '../../evaluation-policy.decider';
import { SetEvaluationPolicyCommand } from './set-evaluation-policy.command';

@CommandHandler(SetEvaluationPolicyCommand)
export class SetEvaluationPolicyHandler implements ICommandHandler<SetEvaluationPolicyCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: SetEvaluationPolicyCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.evaluationPolicy(),
      evaluationPolicyDecider,
      { type: 'SetEvaluationPolicy', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(EVALUATION_POLICY_ID, outcome);
  }
}
