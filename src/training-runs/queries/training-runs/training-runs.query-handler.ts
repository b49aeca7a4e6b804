import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { pageQuery } from '../../../ledger/queries/paging/listing';
import {
  type ListTrainingRunsRequest,
  TRAINING_RUN_LISTING,
} from './list-training-runs.request.dto';
import { TrainingRunRecord } from './training-run.read-model';
import {
  type TrainingRunList,
  type TrainingRunView,
  presentTrainingRun,
} from './training-run.view';

export class GetTrainingRunQuery extends Query<TrainingRunView> {
  constructor(readonly runId: string) {
    super();
  }
}

export class ListTrainingRunsQuery extends Query<TrainingRunList> {
  constructor(readonly request: ListTrainingRunsRequest) {
    super();
  }
}

@QueryHandler(GetTrainingRunQuery)
export class GetTrainingRunQueryHandler implements IQueryHandler<
  GetTrainingRunQuery,
  TrainingRunView
> {
  constructor(
    @InjectRepository(TrainingRunRecord) private readonly runs: Repository<TrainingRunRecord>,
  ) {}

  async execute({ runId }: GetTrainingRunQuery): Promise<TrainingRunView> {
    const run = await this.runs.findOneBy({ runId });
    if (!run) throw new NotRecorded('training run', runId);
    return presentTrainingRun(run);
  }
}

@QueryHandler(ListTrainingRunsQuery)
export class ListTrainingRunsQueryHandler implements IQueryHandler<
  ListTrainingRunsQuery,
  TrainingRunList
> {
  constructor(
    @InjectRepository(TrainingRunRecord) private readonly runs: Repository<TrainingRunRecord>,
  ) {}

  async execute({ request }: ListTrainingRunsQuery): Promise<TrainingRunList> {
    const query = this.runs.createQueryBuilder('r');
    if (request.model) query.andWhere('r.model = :model', request);
    if (request.status) query.andWhere('r.status = :status', request);
    const page = await pageQuery(TRAINING_RUN_LISTING, request, query);
    return { items: page.items.map(presentTrainingRun), nextCursor: page.nextCursor };
  }
}
