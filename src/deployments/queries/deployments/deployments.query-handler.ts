import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { DeploymentHistoryRow, DeploymentRow } from './deployment.read-model';
import type { ListDeploymentsRequest } from './list-deployments.request.dto';

export class DeploymentList {
  @ApiProperty({ type: [DeploymentRow], description: 'Sorted by model, then environment' })
  items!: DeploymentRow[];
}

export class DeploymentDetail {
  @ApiProperty({ type: DeploymentRow }) deployment!: DeploymentRow;
  @ApiProperty({ type: [DeploymentHistoryRow], description: 'Oldest first' })
  history!: DeploymentHistoryRow[];
}

export class ListDeploymentsQuery extends Query<DeploymentList> {
  constructor(readonly filters: ListDeploymentsRequest) {
    super();
  }
}

export class GetDeploymentQuery extends Query<DeploymentDetail> {
  constructor(readonly deploymentId: string) {
    super();
  }
}

@QueryHandler(ListDeploymentsQuery)
export class ListDeploymentsQueryHandler implements IQueryHandler<
  ListDeploymentsQuery,
  DeploymentList
> {
  constructor(@InjectRepository(DeploymentRow) private readonly rows: Repository<DeploymentRow>) {}

  async execute({ filters }: ListDeploymentsQuery): Promise<DeploymentList> {
    const { environment, model, status } = filters;
    const items = await this.rows.find({
      where: {
        ...(environment ? { environment } : {}),
        ...(model ? { model } : {}),
        ...(status ? { status } : {}),
      },
      order: { model: 'ASC', environment: 'ASC' },
    });
    return { items };
  }
}

@QueryHandler(GetDeploymentQuery)
export class GetDeploymentQueryHandler implements IQueryHandler<
  GetDeploymentQuery,
  DeploymentDetail
> {
  constructor(
    @InjectRepository(DeploymentRow) private readonly rows: Repository<DeploymentRow>,
    @InjectRepository(DeploymentHistoryRow)
    private readonly history: Repository<DeploymentHistoryRow>,
  ) {}

  async execute({ deploymentId }: GetDeploymentQuery): Promise<DeploymentDetail> {
    const deployment = await this.rows.findOneBy({ deploymentId });
    if (!deployment) throw new NotRecorded('deployment', deploymentId);
    const history = await this.history.find({
      where: { deploymentId },
      order: { revision: 'ASC' },
    });
    return { deployment, history };
  }
}
