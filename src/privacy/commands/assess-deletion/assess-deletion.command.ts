import type { CommandContext } from '../../../ledger/commands/command-context';
import type { AssessDeletion } from '../../deletion-request.decider';

export class AssessDeletionCommand {
  constructor(
    readonly input: AssessDeletion['data'],
    readonly context: CommandContext,
  ) {}
}
