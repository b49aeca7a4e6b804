import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { deletionRequestDecider } from '../../deletion-request.decider';
import { requireRegisteredDatasetVersions } from '../registered-dataset-versions';
import { FulfilDeletionCommand } from './fulfil-deletion.command';

@CommandHandler(FulfilDeletionCommand)
export class FulfilDeletionHandler implements ICommandHandler<FulfilDeletionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: FulfilDeletionCommand): Promise<WriteResult> {
    await requireRegisteredDatasetVersions(
      this.writer,
      'replacementDatasetVersions',
      input.replacementDatasetVersions,
    );
    const outcome = await this.writer.execute(
      streams.deletionRequest(input.requestId),
      deletionRequestDecider,
      { type: 'FulfilDeletion', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(input.requestId, outcome);
  }
}
