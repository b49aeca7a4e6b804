import type { Readable } from 'node:stream';
import type { CommandContext } from '../../../ledger/commands/command-context';

export class StoreDatasetDataCommand {
  constructor(
    readonly input: { name: string; version: string; content: Readable },
    readonly context: CommandContext,
  ) {}
}
