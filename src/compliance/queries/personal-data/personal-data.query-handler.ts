import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SchemaField } from '../../../datasets/dataset.events';
import { pageSql, whereAll } from '../../../ledger/queries/paging/listing';
import type { PageQuery } from '../../../ledger/queries/paging/page-request';
import { PERSONAL_DATA_LISTING } from './personal-data.request.dto';
import type { PersonalDataPage, PersonalDataView } from './personal-data.view';

export class PersonalDataQuery extends Query<PersonalDataPage> {
  constructor(
    readonly filter: { region?: string },
    readonly page: PageQuery,
  ) {
    super();
  }
}

type DatasetRow = {
  name: string;
  version: string;
  schema: SchemaField[];
  contains_sensitive: boolean;
  lawful_basis: string | null;
  collection_notice: string | null;
  purpose: string | null;
  retention: string | null;
  pia_id: string | null;
  region: string;
  status: string;
  rows: string;
  registered_at: Date;
  event_id: string;
};

type RunRow = { run_id: string; model: string; status: string; name: string; version: string };

type ModelVersionRow = {
  model: string;
  version: string;
  run_id: string;
  decision_class: string;
  retired: boolean;
};

/**
 * The personal-information inventory (APP 1, 3, 6, 11): dataset versions holding personal
 * information with what the law asks of them, and the model versions trained on each.
 */
@QueryHandler(PersonalDataQuery)
export class PersonalDataQueryHandler implements IQueryHandler<
  PersonalDataQuery,
  PersonalDataPage
> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async execute({ filter, page: request }: PersonalDataQuery): Promise<PersonalDataPage> {
    const { items: page, nextCursor } = await pageSql<DatasetRow>(
      PERSONAL_DATA_LISTING,
      request,
      (sql, parameters) => this.dataSource.query(sql, parameters),
      (bind, clauses) => {
        const where = ['contains_personal', ...clauses.where];
        if (filter.region) where.push(`region = ${bind(filter.region)}`);
        return `SELECT name, version, schema, contains_sensitive, lawful_basis, collection_notice,
                       purpose, retention, pia_id, region, status, rows, registered_at, event_id
                FROM dataset_versions ${whereAll(where)}
                ORDER BY ${clauses.orderBy} LIMIT ${clauses.limit}`;
      },
    );
    if (page.length === 0) return { items: [], nextCursor };

    const runs = (await this.dataSource.query(
      `SELECT r.run_id::text AS run_id, r.model, r.status, dv->>'name' AS name,
              dv->>'version' AS version
       FROM training_runs r
       CROSS JOIN LATERAL jsonb_array_elements(r.dataset_versions) AS dv
       JOIN unnest($1::text[], $2::text[]) AS k(name, version)
         ON dv->>'name' = k.name AND dv->>'version' = k.version
       ORDER BY r.started_at, r.run_id`,
      [page.map((d) => d.name), page.map((d) => d.version)],
    )) as RunRow[];
    const trained = (await this.dataSource.query(
      `SELECT model, version, run_id, decision_class, retired_at IS NOT NULL AS retired
       FROM model_versions WHERE run_id = ANY($1::text[])
       ORDER BY model, version`,
      [[...new Set(runs.map((run) => run.run_id))]],
    )) as ModelVersionRow[];

    const items = page.map((dataset): PersonalDataView => {
      const own = runs.filter((r) => r.name === dataset.name && r.version === dataset.version);
      const runIds = new Set(own.map((run) => run.run_id));
      const personalFields = dataset.schema
        .filter((field) => field.personal)
        .map((field) => ({
          name: field.name,
          category: field.category ?? 'unspecified',
          sensitive: field.sensitive,
        }));
      return {
        name: dataset.name,
        version: dataset.version,
        kinds: [...new Set(personalFields.map((field) => field.category))].sort(),
        personalFields,
        sensitive: dataset.contains_sensitive,
        lawfulBasis: dataset.lawful_basis,
        collectionNotice: dataset.collection_notice,
        purpose: dataset.purpose,
        retention: dataset.retention,
        piaId: dataset.pia_id,
        region: dataset.region,
        status: dataset.status,
        rows: Number(dataset.rows),
        registeredAt: dataset.registered_at.toISOString(),
        eventId: dataset.event_id,
        trainingRuns: own.map(({ run_id, model, status }) => ({ runId: run_id, model, status })),
        modelVersions: trained
          .filter((mv) => runIds.has(mv.run_id))
          .map((mv) => ({
            model: mv.model,
            version: mv.version,
            runId: mv.run_id,
            decisionClass: mv.decision_class,
            retired: mv.retired,
          })),
      };
    });
    return { items, nextCursor };
  }
}
