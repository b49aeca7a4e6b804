import { streams } from '../../../ledger/stream-names';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { alertDecider } from '../../alert.decider';
import { ResolveAlertCommand } from './resolve-alert.command';

@CommandHandler(ResolveAlertCommand)
export class ResolveAlertHandler implements ICommandHandler<ResolveAlertCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: ResolveAlertCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.alert(input.alertId),
      alertDecider,
      { type: 'ResolveAlert', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(input.alertId, outcome);
  }
}
