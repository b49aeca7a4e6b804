import type { CommandContext } from '../../../ledger/commands/command-context';
import type { FulfilDeletion } from '../../deletion-request.decider';

export class FulfilDeletionCommand {
  constructor(
    readonly input: FulfilDeletion['data'],
    readonly context: CommandContext,
  ) {}
}
