import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { datasetDecider } from '../../dataset.decider';
import { RecordDatasetEvidenceCommand } from './record-dataset-evidence.command';

@CommandHandler(RecordDatasetEvidenceCommand)
export class RecordDatasetEvidenceHandler implements ICommandHandler<RecordDatasetEvidenceCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({
    command,
    resourceId,
    context,
  }: RecordDatasetEvidenceCommand): Promise<WriteResult> {
    const stream = streams.dataset(command.data.name);
    const outcome = await this.writer.execute(stream, datasetDecider, command, context);
    return writeResult(resourceId, outcome);
  }
}
