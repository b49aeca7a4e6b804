import { streams } from '../../../ledger/stream-names';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { newId } from '../../../ledger/commands/command-context';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { type CauseFact, alertDecider } from '../../alert.decider';
import { monitoringSignalDecider } from '../../monitoring-signal.decider';
import { deploymentSlot, readDeployment } from '../record-signal';
import { RaiseAlertCommand } from './raise-alert.command';

@CommandHandler(RaiseAlertCommand)
export class RaiseAlertHandler implements ICommandHandler<RaiseAlertCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RaiseAlertCommand): Promise<WriteResult> {
    const slot = deploymentSlot(input.deploymentId);
    const deployment = await readDeployment(this.writer, input.deploymentId);
    const alertId = newId(context, 'alert');
    const outcome = await this.writer.execute(
      streams.alert(alertId),
      alertDecider,
      {
        type: 'RaiseAlert',
        data: { alertId, ...slot, ...input },
        deploymentRecorded: deployment.recorded,
        cause: await this.causeOf(input.deploymentId, input.causeEventId),
        actor: context.actor.sub,
        now: context.now,
      },
      context,
      { fresh: true },
    );
    return writeResult(alertId, outcome);
  }

  /** A cited cause must be a signal in this deployment's monitoring stream. */
  private async causeOf(deploymentId: string, eventId: string | null): Promise<CauseFact | null> {
    if (eventId === null) return null;
    const signals = await this.writer.load(
      monitoringSignalDecider,
      streams.monitoringSignals(deploymentId),
    );
    return { eventId, recorded: signals.recorded.some((event) => event.id === eventId) };
  }
}
