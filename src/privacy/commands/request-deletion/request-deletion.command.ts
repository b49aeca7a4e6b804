import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RequestDeletion } from '../../deletion-request.decider';

/** Carries the subject ref only: the controller hashed the identifier before building it. */
export class RequestDeletionCommand {
  constructor(
    readonly input: RequestDeletion['data'],
    readonly context: CommandContext,
  ) {}
}
