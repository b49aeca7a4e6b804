import type { Readable } from 'node:stream';
import type { CommandContext } from '../../../ledger/commands/command-context';

export class StoreModelArtifactCommand {
  constructor(
    readonly input: { model: string; version: string; content: Readable },
    readonly context: CommandContext,
  ) {}
}
