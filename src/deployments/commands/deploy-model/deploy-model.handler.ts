import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deploymentId } from '../../../ledger/commands/identifiers';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
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
    const versions = await this.writer.state(modelVersionStandings, streams.model(input.model));
    const outcome = await this.writer.execute(
      streams.deployment(id),
      deploymentDecider,
      {
        type: 'DeployModel',
        data: { deploymentId: id, ...input },
        facts: {
          version: versions.get(input.version) ?? 'unregistered',
          approval: input.approvalId ? await this.approval(input.approvalId) : null,
        },
        actor: context.actor.sub,
        roles: context.actor.roles,
        now: context.now,
      },
      context,
    );
    return writeResult(id, outcome);
  }

  private async approval(approvalId: string): Promise<ApprovalFact> {
    const state = await this.writer.state(
      approvalStanding(approvalId),
      streams.approval(approvalId),
    );
    return state;
  }
}
