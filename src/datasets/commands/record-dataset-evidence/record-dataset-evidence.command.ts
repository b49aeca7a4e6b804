import type { CommandContext } from '../../../ledger/commands/command-context';
import type {
  RecordDatasetProfile,
  RecordDatasetValidation,
  RetireDatasetVersion,
} from '../../dataset.decider';

/** A fact recorded against an existing dataset version: a validation, a profile or retirement. */
export class RecordDatasetEvidenceCommand {
  constructor(
    readonly command: RecordDatasetValidation | RecordDatasetProfile | RetireDatasetVersion,
    readonly resourceId: string,
    readonly context: CommandContext,
  ) {}
}
