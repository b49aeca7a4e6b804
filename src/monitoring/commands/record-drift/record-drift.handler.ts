import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '../../../ledger/commands/command-context';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { deploymentSlot, readDeployment, recordSignal } from '../record-signal';
import type { SignalWriteResult } from '../signal.request.dto';
import { RecordDriftCommand } from './record-drift.command';

@CommandHandler(RecordDriftCommand)
export class RecordDriftHandler implements ICommandHandler<RecordDriftCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, severity, context }: RecordDriftCommand): Promise<SignalWriteResult> {
    const slot = deploymentSlot(input.deploymentId);
    const deployment = await readDeployment(this.writer, input.deploymentId);
    return recordSignal(
      this.writer,
      {
        type: 'RecordDrift',
        data: { signalId: newId(context, 'monitoring-signal'), ...slot, ...input },
        deployment,
        actor: context.actor.sub,
        now: context.now,
      },
      severity,
      context,
    );
  }
}
