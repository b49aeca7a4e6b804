import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RecordGroundTruth } from '../../ground-truth.decider';

export class RecordGroundTruthCommand {
  constructor(
    readonly input: Omit<RecordGroundTruth['data'], 'groundTruthId' | 'model' | 'environment'>,
    readonly context: CommandContext,
  ) {}
}
