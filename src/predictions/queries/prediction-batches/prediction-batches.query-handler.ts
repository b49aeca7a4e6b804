import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { pageQuery } from '../../../ledger/queries/paging/listing';
import { NEXT_CURSOR, type PageQuery } from '../../../ledger/queries/paging/page-request';
import {
  GROUND_TRUTH_LISTING,
  PREDICTION_BATCH_LISTING,
} from './list-prediction-batches.request.dto';
import {
  GroundTruthRow,
  GroundTruthView,
  PredictionBatchRow,
  PredictionBatchView,
  groundTruthView,
  predictionBatchView,
} from './prediction-batch.read-model';
import { DeploymentsReader } from '../../../deployments/queries/deployments/deployments.reader';

export class PredictionBatchList {
  @ApiProperty({
    type: [PredictionBatchView],
    description: 'In the requested sort (default: newest window first)',
  })
  items!: PredictionBatchView[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

export class GroundTruthList {
  @ApiProperty({
    type: [GroundTruthView],
    description: 'In the requested sort (default: newest window first)',
  })
  items!: GroundTruthView[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

export class ListPredictionBatchesQuery extends Query<PredictionBatchList> {
  constructor(
    readonly deploymentId: string,
    readonly request: PageQuery,
  ) {
    super();
  }
}

export class ListGroundTruthQuery extends Query<GroundTruthList> {
  constructor(
    readonly deploymentId: string,
    readonly request: PageQuery,
  ) {
    super();
  }
}

/** A deployment with no batches yet lists none; one the ledger never recorded is a 404. */
async function checkDeploymentRecorded(
  deployments: DeploymentsReader,
  deploymentId: string,
): Promise<void> {
  if (!(await deployments.exists(deploymentId))) throw new NotRecorded('deployment', deploymentId);
}

@QueryHandler(ListPredictionBatchesQuery)
export class ListPredictionBatchesQueryHandler implements IQueryHandler<
  ListPredictionBatchesQuery,
  PredictionBatchList
> {
  constructor(
    @InjectRepository(PredictionBatchRow)
    private readonly batches: Repository<PredictionBatchRow>,
    private readonly deployments: DeploymentsReader,
  ) {}

  async execute({
    deploymentId,
    request,
  }: ListPredictionBatchesQuery): Promise<PredictionBatchList> {
    await checkDeploymentRecorded(this.deployments, deploymentId);
    const query = this.batches
      .createQueryBuilder('b')
      .where('b.deploymentId = :deploymentId', { deploymentId });
    const page = await pageQuery(PREDICTION_BATCH_LISTING, request, query);
    return { items: page.items.map(predictionBatchView), nextCursor: page.nextCursor };
  }
}

@QueryHandler(ListGroundTruthQuery)
export class ListGroundTruthQueryHandler implements IQueryHandler<
  ListGroundTruthQuery,
  GroundTruthList
> {
  constructor(
    @InjectRepository(GroundTruthRow) private readonly groundTruth: Repository<GroundTruthRow>,
    private readonly deployments: DeploymentsReader,
  ) {}

  async execute({ deploymentId, request }: ListGroundTruthQuery): Promise<GroundTruthList> {
    await checkDeploymentRecorded(this.deployments, deploymentId);
    const query = this.groundTruth
      .createQueryBuilder('g')
      .where('g.deploymentId = :deploymentId', { deploymentId });
    const page = await pageQuery(GROUND_TRUTH_LISTING, request, query);
    return { items: page.items.map(groundTruthView), nextCursor: page.nextCursor };
  }
}
