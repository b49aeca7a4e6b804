import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';

/** Where a deployment's recorded predictions and outcomes start and end (by their windows). */
export type PredictionSpan = { from: Date | null; to: Date | null };

/**
 * The span of a deployment's prediction batches and ground truth: what "all" covers on the
 * console's deployment page (README, "Console"). One query, whatever the number of batches.
 */
export class GetPredictionSpanQuery extends Query<PredictionSpan> {
  constructor(readonly deploymentId: string) {
    super();
  }
}

@QueryHandler(GetPredictionSpanQuery)
export class GetPredictionSpanQueryHandler implements IQueryHandler<
  GetPredictionSpanQuery,
  PredictionSpan
> {
  constructor(private readonly db: DataSource) {}

  async execute({ deploymentId }: GetPredictionSpanQuery): Promise<PredictionSpan> {
    const [row] = (await this.db.query(
      `SELECT min(window_from) AS "from", max(window_to) AS "to" FROM (
         SELECT window_from, window_to FROM prediction_batches WHERE deployment_id = $1
         UNION ALL
         SELECT window_from, window_to FROM ground_truth WHERE deployment_id = $1
       ) AS windows`,
      [deploymentId],
    )) as { from: Date | string | null; to: Date | string | null }[];
    const date = (value: Date | string | null) => (value === null ? null : new Date(value));
    return { from: date(row?.from ?? null), to: date(row?.to ?? null) };
  }
}
