import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { approvalDecider } from '../../approval.decider';
import { modelFacts, modelVersionFacts } from '../../model-version-facts';
import { DecideApprovalStageCommand } from './decide-approval-stage.command';

@CommandHandler(DecideApprovalStageCommand)
export class DecideApprovalStageHandler implements ICommandHandler<DecideApprovalStageCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: DecideApprovalStageCommand): Promise<WriteResult> {
    const stream = streams.approval(input.approvalId);
    const state = await this.writer.state(approvalDecider, stream);
    if (state.status === 'none') throw new NotRecorded('approval', input.approvalId);
    // The evidence is recomputed from the model stream as it is when the decision is stored, so
    // a grant never rests on stale facts (the model stream is a condition of the append).
    const outcome = await this.writer.execute(
      stream,
      approvalDecider,
      async (facts) => ({
        type: 'DecideApprovalStage' as const,
        data: input,
        modelVersion: modelVersionFacts(
          await facts.load(modelFacts, streams.model(state.model)),
          state.version,
        ),
        actor: context.actor,
        now: context.now,
      }),
      context,
    );
    return writeResult(input.approvalId, outcome);
  }
}
