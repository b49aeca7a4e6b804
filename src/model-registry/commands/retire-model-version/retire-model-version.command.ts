import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RetireModelVersion } from '../../model.decider';

export class RetireModelVersionCommand {
  constructor(
    readonly input: RetireModelVersion['data'],
    readonly context: CommandContext,
  ) {}
}
