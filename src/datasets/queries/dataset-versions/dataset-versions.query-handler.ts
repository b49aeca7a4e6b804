import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { pageSql, whereAll } from '../../../ledger/queries/paging/listing';
import { NEXT_CURSOR } from '../../../ledger/queries/paging/page-request';
import { DATASET_LISTING, type ListDatasetsRequest } from './list-datasets.request.dto';
import { DatasetVersionRow } from './dataset-version.read-model';

export class DatasetSummary {
  @ApiProperty({ example: 'loan-applications' }) name!: string;
  @ApiProperty() versionCount!: number;
  @ApiProperty({ example: '2026-02' }) latestVersion!: string;
  @ApiProperty({ type: String, format: 'date-time' }) latestRegisteredAt!: Date;
  @ApiProperty({ description: 'Some version holds personal information' })
  containsPersonalInformation!: boolean;
  @ApiProperty({ type: [String], example: ['ap-southeast-2'] }) regions!: string[];
}

export class DatasetList {
  @ApiProperty({ type: [DatasetSummary], description: 'In the requested sort (default: by name)' })
  items!: DatasetSummary[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

export class DatasetView {
  @ApiProperty() name!: string;
  @ApiProperty({ type: [DatasetVersionRow], description: 'Oldest first' })
  versions!: DatasetVersionRow[];
}

export class ListDatasetsQuery extends Query<DatasetList> {
  constructor(readonly request: ListDatasetsRequest) {
    super();
  }
}

export class GetDatasetQuery extends Query<DatasetView> {
  constructor(readonly name: string) {
    super();
  }
}

export class GetDatasetVersionQuery extends Query<DatasetVersionRow> {
  constructor(
    readonly name: string,
    readonly version: string,
  ) {
    super();
  }
}

@QueryHandler(ListDatasetsQuery)
export class ListDatasetsQueryHandler implements IQueryHandler<ListDatasetsQuery, DatasetList> {
  constructor(
    @InjectRepository(DatasetVersionRow) private readonly rows: Repository<DatasetVersionRow>,
  ) {}

  execute({ request }: ListDatasetsQuery): Promise<DatasetList> {
    return pageSql<DatasetSummary>(
      DATASET_LISTING,
      request,
      (sql, parameters) => this.rows.query(sql, parameters),
      (bind, page) => {
        const where = [...page.where];
        if (request.region) where.push(`${bind(request.region)} = ANY(d.regions)`);
        if (request.personal) {
          where.push(`d."containsPersonalInformation" = ${bind(request.personal === 'true')}`);
        }
        return `SELECT * FROM (
                  SELECT name,
                         count(*)::int AS "versionCount",
                         (array_agg(version ORDER BY registered_at DESC, version DESC))[1] AS "latestVersion",
                         max(registered_at) AS "latestRegisteredAt",
                         bool_or(contains_personal) AS "containsPersonalInformation",
                         array_agg(DISTINCT region ORDER BY region) AS regions
                  FROM dataset_versions GROUP BY name) d
                ${whereAll(where)}
                ORDER BY ${page.orderBy} LIMIT ${page.limit}`;
      },
    );
  }
}

@QueryHandler(GetDatasetQuery)
export class GetDatasetQueryHandler implements IQueryHandler<GetDatasetQuery, DatasetView> {
  constructor(
    @InjectRepository(DatasetVersionRow) private readonly rows: Repository<DatasetVersionRow>,
  ) {}

  async execute({ name }: GetDatasetQuery): Promise<DatasetView> {
    const versions = await this.rows.find({
      where: { name },
      order: { registeredAt: 'ASC', version: 'ASC' },
    });
    if (versions.length === 0) throw new NotRecorded('dataset', name);
    return { name, versions };
  }
}

@QueryHandler(GetDatasetVersionQuery)
export class GetDatasetVersionQueryHandler implements IQueryHandler<
  GetDatasetVersionQuery,
  DatasetVersionRow
> {
  constructor(
    @InjectRepository(DatasetVersionRow) private readonly rows: Repository<DatasetVersionRow>,
  ) {}

  async execute({ name, version }: GetDatasetVersionQuery): Promise<DatasetVersionRow> {
    const row = await this.rows.findOneBy({ name, version });
    if (!row) throw new NotRecorded('dataset version', `${name}@${version}`);
    return row;
  }
}
