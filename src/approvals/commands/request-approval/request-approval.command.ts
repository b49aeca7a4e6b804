import type { CommandContext } from '../../../ledger/commands/command-context';

export class RequestApprovalCommand {
  constructor(
    readonly input: { model: string; version: string; environment: string; comment: string | null },
    readonly context: CommandContext,
  ) {}
}
