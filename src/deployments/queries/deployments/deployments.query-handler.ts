import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { DeploymentHistoryRow, DeploymentRow } from './deployment.read-model';
import { pageQuery } from '../../../ledger/queries/paging/listing';
import { NEXT_CURSOR } from '../../../ledger/queries/paging/page-request';
import { DEPLOYMENT_LISTING, type ListDeploymentsRequest } from './list-deployments.request.dto';

export class DeploymentList {
  @ApiProperty({
    type: [DeploymentRow],
    description: 'In the requested sort (default: by model, then environment)',
  })
  items!: DeploymentRow[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
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

  execute({ filters }: ListDeploymentsQuery): Promise<DeploymentList> {
    const query = this.rows.createQueryBuilder('d');
    if (filters.environment) query.andWhere('d.environment = :environment', filters);
    if (filters.model) query.andWhere('d.model = :model', filters);
    if (filters.status) query.andWhere('d.status = :status', filters);
    return pageQuery(DEPLOYMENT_LISTING, filters, query);
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
