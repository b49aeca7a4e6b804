import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { deletionRequestDecider } from '../../deletion-request.decider';
import { requireRegisteredDatasetVersions } from '../registered-dataset-versions';
import { AssessDeletionCommand } from './assess-deletion.command';

@CommandHandler(AssessDeletionCommand)
export class AssessDeletionHandler implements ICommandHandler<AssessDeletionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: AssessDeletionCommand): Promise<WriteResult> {
    await requireRegisteredDatasetVersions(
      this.writer,
      'affected.datasetVersions',
      input.affected.datasetVersions,
    );
    const outcome = await this.writer.execute(
      streams.deletionRequest(input.requestId),
      deletionRequestDecider,
      { type: 'AssessDeletion', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(input.requestId, outcome);
  }
}
