import type { CommandContext } from '../../../ledger/commands/command-context';
import type { UpdateModelCard } from '../../model.decider';

export class UpdateModelCardCommand {
  constructor(
    readonly input: UpdateModelCard['data'],
    readonly context: CommandContext,
  ) {}
}
