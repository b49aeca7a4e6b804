import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { MONITORING_POLICY_ID, monitoringPolicyDecider } from '../../monitoring-policy.decider';
import { SetMonitoringPolicyCommand } from './set-monitoring-policy.command';

@CommandHandler(SetMonitoringPolicyCommand)
export class SetMonitoringPolicyHandler implements ICommandHandler<SetMonitoringPolicyCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: SetMonitoringPolicyCommand): Promise<WriteResult> {
    const outcome = await this.writer.execute(
      streams.monitoringPolicy(),
      monitoringPolicyDecider,
      { type: 'SetMonitoringPolicy', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(MONITORING_POLICY_ID, outcome);
  }
}
