import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import {
  GroundTruthRow,
  GroundTruthView,
  PredictionBatchRow,
  PredictionBatchView,
  groundTruthView,
  predictionBatchView,
} from './prediction-batch.read-model';

export class PredictionBatchList {
  @ApiProperty({ type: [PredictionBatchView], description: 'Newest window first' })
  items!: PredictionBatchView[];
}

export class GroundTruthList {
  @ApiProperty({ type: [GroundTruthView], description: 'Newest window first' })
  items!: GroundTruthView[];
}

export class ListPredictionBatchesQuery extends Query<PredictionBatchList> {
  constructor(
    readonly deploymentId: string,
    readonly limit: number,
  ) {
    super();
  }
}

export class ListGroundTruthQuery extends Query<GroundTruthList> {
  constructor(
    readonly deploymentId: string,
    readonly limit: number,
  ) {
    super();
  }
}

/** A deployment with no batches yet lists none; one the ledger never recorded is a 404. */
async function checkDeploymentRecorded(
  repository: Repository<object>,
  deploymentId: string,
): Promise<void> {
  const rows = (await repository.query('SELECT 1 FROM deployments WHERE deployment_id = $1', [
    deploymentId,
  ])) as unknown[];
  if (rows.length === 0) throw new NotRecorded('deployment', deploymentId);
}

@QueryHandler(ListPredictionBatchesQuery)
export class ListPredictionBatchesQueryHandler implements IQueryHandler<
  ListPredictionBatchesQuery,
  PredictionBatchList
> {
  constructor(
    @InjectRepository(PredictionBatchRow)
    private readonly batches: Repository<PredictionBatchRow>,
  ) {}

  async execute({ deploymentId, limit }: ListPredictionBatchesQuery): Promise<PredictionBatchList> {
    await checkDeploymentRecorded(this.batches, deploymentId);
    const rows = await this.batches.find({
      where: { deploymentId },
      order: { windowTo: 'DESC', windowFrom: 'DESC', recordedAt: 'DESC', batchId: 'ASC' },
      take: limit,
    });
    return { items: rows.map(predictionBatchView) };
  }
}

@QueryHandler(ListGroundTruthQuery)
export class ListGroundTruthQueryHandler implements IQueryHandler<
  ListGroundTruthQuery,
  GroundTruthList
> {
  constructor(
    @InjectRepository(GroundTruthRow) private readonly groundTruth: Repository<GroundTruthRow>,
  ) {}

  async execute({ deploymentId, limit }: ListGroundTruthQuery): Promise<GroundTruthList> {
    await checkDeploymentRecorded(this.groundTruth, deploymentId);
    const rows = await this.groundTruth.find({
      where: { deploymentId },
      order: { windowTo: 'DESC', windowFrom: 'DESC', recordedAt: 'DESC', groundTruthId: 'ASC' },
      take: limit,
    });
    return { items: rows.map(groundTruthView) };
  }
}
