import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deploymentId } from '../../../ledger/commands/identifiers';
import { type FactReader, StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { type ApprovalFact, deploymentDecider } from '../../deployment.decider';
import { approvalStanding, modelVersionStandings } from './deploy-model.facts';
import { DeployModelCommand } from './deploy-model.command';

@CommandHandler(DeployModelCommand)
export class DeployModelHandler implements ICommandHandler<DeployModelCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: DeployModelCommand): Promise<WriteResult> {
    const id = deploymentId(input.model, input.environment);
    // The model's and the approval's streams are conditions of the append: a retirement or a
    // withdrawal that lands first makes this decide again (docs/consistency.md).
    const outcome = await this.writer.execute(
      streams.deployment(id),
      deploymentDecider,
      async (facts) => {
        const versions = await facts.state(modelVersionStandings, streams.model(input.model));
        const version = versions.get(input.version);
        return {
          type: 'DeployModel' as const,
          data: { deploymentId: id, ...input },
          facts: {
            version: version?.standing ?? 'unregistered',
            artifactStored: version?.artifactStored ?? false,
            approval: input.approvalId ? await this.approval(facts, input.approvalId) : null,
          },
          actor: context.actor.sub,
          roles: context.actor.roles,
          now: context.now,
        };
      },
      context,
    );
    return writeResult(id, outcome);
  }

  private async approval(facts: FactReader, approvalId: string): Promise<ApprovalFact> {
    return { approvalId, ...(await facts.state(approvalStanding, streams.approval(approvalId))) };
  }
}
