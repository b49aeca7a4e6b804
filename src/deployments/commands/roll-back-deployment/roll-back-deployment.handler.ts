import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { deploymentDecider } from '../../deployment.decider';
import { RollBackDeploymentCommand } from './roll-back-deployment.command';

@CommandHandler(RollBackDeploymentCommand)
export class RollBackDeploymentHandler implements ICommandHandler<RollBackDeploymentCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RollBackDeploymentCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.deployment(input.deploymentId),
      deploymentDecider,
      { type: 'RollBackDeployment', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(input.deploymentId, outcome);
  }
}
