import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deploymentDecider } from '../../../deployments/deployment.decider';
import { newId } from '../../../ledger/commands/command-context';
import { parseDeploymentId } from '../../../ledger/commands/identifiers';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { deploymentStanding } from '../../deployment-standing';
import { type BatchFact, groundTruthDecider } from '../../ground-truth.decider';
import { predictionBatchDecider } from '../../prediction-batch.decider';
import { RecordGroundTruthCommand } from './record-ground-truth.command';

@CommandHandler(RecordGroundTruthCommand)
export class RecordGroundTruthHandler implements ICommandHandler<RecordGroundTruthCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RecordGroundTruthCommand): Promise<WriteResult> {
    const slot = parseDeploymentId(input.deploymentId);
    if (!slot) throw new NotRecorded('deployment', input.deploymentId);
    // Batches never change once recorded; the deployment's stream is a condition of the append.
    const batches = await Promise.all(input.batchIds.map((batchId) => this.batch(batchId)));
    const groundTruthId = newId(context, 'ground-truth');
    const outcome = await this.writer.execute(
      streams.groundTruth(groundTruthId),
      groundTruthDecider,
      async (facts) => ({
        type: 'RecordGroundTruth' as const,
        data: { groundTruthId, ...slot, ...input },
        deployment: deploymentStanding(
          input.deploymentId,
          await facts.state(deploymentDecider, streams.deployment(input.deploymentId)),
        ),
        batches,
        actor: context.actor.sub,
        now: context.now,
      }),
      context,
      { fresh: true },
    );
    return writeResult(groundTruthId, outcome);
  }

  /** Each cited batch is read from its own stream. */
  private async batch(batchId: string): Promise<BatchFact> {
    const state = await this.writer.state(predictionBatchDecider, streams.predictionBatch(batchId));
    return state.status === 'recorded'
      ? { batchId, deploymentId: state.deploymentId, version: state.version, count: state.count }
      : { batchId, deploymentId: null, version: null, count: 0 };
  }
}
