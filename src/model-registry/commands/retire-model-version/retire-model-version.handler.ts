import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { modelDecider } from '../../model.decider';
import { RetireModelVersionCommand } from './retire-model-version.command';

@CommandHandler(RetireModelVersionCommand)
export class RetireModelVersionHandler implements ICommandHandler<RetireModelVersionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RetireModelVersionCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.model(input.model),
      modelDecider,
      { type: 'RetireModelVersion', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(`${input.model}@${input.version}`, outcome);
  }
}
