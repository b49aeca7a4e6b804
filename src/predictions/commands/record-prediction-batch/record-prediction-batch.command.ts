import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RecordPredictionBatch } from '../../prediction-batch.decider';

export class RecordPredictionBatchCommand {
  constructor(
    readonly input: Omit<RecordPredictionBatch['data'], 'batchId' | 'model' | 'environment'>,
    readonly context: CommandContext,
  ) {}
}
