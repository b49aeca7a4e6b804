import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { deletionRequestDecider } from '../../deletion-request.decider';
import { RequestDeletionCommand } from './request-deletion.command';

@CommandHandler(RequestDeletionCommand)
export class RequestDeletionHandler implements ICommandHandler<RequestDeletionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RequestDeletionCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.deletionRequest(input.requestId),
      deletionRequestDecider,
      { type: 'RequestDeletion', data: input, actor: context.actor.sub, now: context.now },
      context,
      { fresh: true },
    );
    return writeResult(input.requestId, outcome);
  }
}
