import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deploymentDecider } from '../../../deployments/deployment.decider';
import { newId } from '../../../ledger/commands/command-context';
import { parseDeploymentId } from '../../../ledger/commands/identifiers';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { deploymentStanding } from '../../deployment-standing';
import { predictionBatchDecider } from '../../prediction-batch.decider';
import { RecordPredictionBatchCommand } from './record-prediction-batch.command';

@CommandHandler(RecordPredictionBatchCommand)
export class RecordPredictionBatchHandler implements ICommandHandler<RecordPredictionBatchCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RecordPredictionBatchCommand): Promise<WriteResult> {
    const slot = parseDeploymentId(input.deploymentId);
    if (!slot) throw new NotRecorded('deployment', input.deploymentId);
    const batchId = newId(context, 'prediction-batch');
    // The deployment's stream is a condition of the append: a rollback or retirement that lands
    // first makes this decide again on the deployment as it then stands.
    const outcome = await this.writer.execute(
      streams.predictionBatch(batchId),
      predictionBatchDecider,
      async (facts) => ({
        type: 'RecordPredictionBatch' as const,
        data: { batchId, ...slot, ...input },
        deployment: deploymentStanding(
          input.deploymentId,
          await facts.state(deploymentDecider, streams.deployment(input.deploymentId)),
        ),
        actor: context.actor.sub,
        now: context.now,
      }),
      context,
      { fresh: true },
    );
    return writeResult(batchId, outcome);
  }
}
