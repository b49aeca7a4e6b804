import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { deploymentDecider } from '../../deployment.decider';
import { PromoteDeploymentCommand } from './promote-deployment.command';

@CommandHandler(PromoteDeploymentCommand)
export class PromoteDeploymentHandler implements ICommandHandler<PromoteDeploymentCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: PromoteDeploymentCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.deployment(input.deploymentId),
      deploymentDecider,
      { type: 'PromoteDeployment', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(input.deploymentId, outcome);
  }
}
