import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { pageQuery } from '../../../ledger/queries/paging/listing';
import type { PageQuery } from '../../../ledger/queries/paging/page-request';
import { ApprovalRecord, approvalView } from '../approvals/approval.read-model';
import type { ApprovalPage } from '../approvals/approvals.query-handler';
import { APPROVAL_LISTING } from '../approvals/list-approvals.request.dto';

/**
 * Every request pending now, whoever asks, oldest first: the console's inbox splits them into
 * those the caller may decide and those they may not, with the reason (README, "Console").
 * The API's `status=pending` keeps answering with the caller's own inbox only.
 */
export class ListPendingApprovalsQuery extends Query<ApprovalPage> {
  constructor(readonly page: PageQuery) {
    super();
  }
}

/** One evaluation an approval's evidence holds, as the registry recorded it. */
export type EvidenceEvaluation = {
  evaluationId: string;
  verdict: 'pass' | 'fail';
  performedBy: 'pipeline' | 'attest';
  /** The environment a service-run evaluation was judged for; null for the pipeline's. */
  environment: string | null;
  datasetVersion: { name: string; version: string };
  evaluatedBy: string;
  evaluatedAt: string;
};

/**
 * The evaluations behind each approval's evidence, by approval id: its evidence holds the hashes
 * of the version's ModelEvaluated events in stream order as they were at request time, so they
 * are the version's first that many evaluations. One read for every approval given.
 */
export class ListEvidenceEvaluationsQuery extends Query<Record<string, EvidenceEvaluation[]>> {
  constructor(
    readonly approvals: readonly Pick<ApprovalRecord, 'id' | 'model' | 'version' | 'evidence'>[],
  ) {
    super();
  }
}

@QueryHandler(ListPendingApprovalsQuery)
export class ListPendingApprovalsQueryHandler implements IQueryHandler<
  ListPendingApprovalsQuery,
  ApprovalPage
> {
  constructor(
    @InjectRepository(ApprovalRecord) private readonly approvals: Repository<ApprovalRecord>,
  ) {}

  async execute({ page }: ListPendingApprovalsQuery): Promise<ApprovalPage> {
    const query = this.approvals
      .createQueryBuilder('a')
      .andWhere('a.status = :status', { status: 'pending' });
    const listed = await pageQuery(APPROVAL_LISTING, page, query);
    return { ...listed, items: listed.items.map(approvalView) };
  }
}

type EvaluationRow = Omit<EvidenceEvaluation, 'evaluatedAt'> & {
  model: string;
  version: string;
  evaluatedAt: Date;
};

@QueryHandler(ListEvidenceEvaluationsQuery)
export class ListEvidenceEvaluationsQueryHandler implements IQueryHandler<
  ListEvidenceEvaluationsQuery,
  Record<string, EvidenceEvaluation[]>
> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async execute({
    approvals,
  }: ListEvidenceEvaluationsQuery): Promise<Record<string, EvidenceEvaluation[]>> {
    const wanted = approvals.filter((a) => a.evidence.evaluationEventHashes.length > 0);
    if (wanted.length === 0) return {};
    const pairs = [...new Map(wanted.map((a) => [`${a.model}@${a.version}`, a])).values()];
    const rows = (await this.dataSource.query(
      `SELECT e.model, e.version, e.evaluation_id AS "evaluationId", e.verdict,
         e.performed_by AS "performedBy", e.service ->> 'environment' AS environment,
         e.dataset_version AS "datasetVersion", e.evaluated_by AS "evaluatedBy",
         e.evaluated_at AS "evaluatedAt"
       FROM model_evaluations e
       JOIN unnest($1::text[], $2::text[]) AS v(model, version)
         ON e.model = v.model AND e.version = v.version
       ORDER BY e.model, e.version, e.stream_revision`,
      [pairs.map((a) => a.model), pairs.map((a) => a.version)],
    )) as EvaluationRow[];
    const byVersion = new Map<string, EvidenceEvaluation[]>();
    for (const { model, version, evaluatedAt, datasetVersion, ...row } of rows) {
      const key = `${model}@${version}`;
      const list = byVersion.get(key) ?? [];
      list.push({
        ...row,
        datasetVersion: { name: datasetVersion.name, version: datasetVersion.version },
        evaluatedAt: new Date(evaluatedAt).toISOString(),
      });
      byVersion.set(key, list);
    }
    return Object.fromEntries(
      wanted.map((a) => [
        a.id,
        (byVersion.get(`${a.model}@${a.version}`) ?? []).slice(
          0,
          a.evidence.evaluationEventHashes.length,
        ),
      ]),
    );
  }
}
