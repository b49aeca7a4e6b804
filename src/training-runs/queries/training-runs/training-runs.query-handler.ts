import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
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
  constructor(
    readonly model: string | undefined,
    readonly limit: number,
  ) {
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

  async execute({ model, limit }: ListTrainingRunsQuery): Promise<TrainingRunList> {
    const runs = await this.runs.find({
      where: model === undefined ? {} : { model },
      order: { startedAt: 'DESC', runId: 'DESC' },
      take: limit,
    });
    return { items: runs.map(presentTrainingRun) };
  }
}
