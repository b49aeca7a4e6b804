import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UUID } from '../../../ledger/commands/identifiers';
import { pageInMemory } from '../../../ledger/queries/paging/listing';
import { NEXT_CURSOR, type PageQuery } from '../../../ledger/queries/paging/page-request';
import { DEPLOYMENT_LISTING } from '../deployments/list-deployments.request.dto';
import { DeploymentRow } from '../deployments/deployment.read-model';
import { servingAt } from './deployment-timeline';
import { type MomentRow, deploymentsAt, momentOf } from './deployment-timeline.read-model';

export class ApproverAsOf {
  @ApiProperty({ example: 0 }) stage!: number;
  @ApiProperty({ example: 'risk-manager' }) role!: string;
  @ApiProperty({ example: 'rick' }) sub!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
}

export class DatasetVersionAsOf {
  @ApiProperty({ example: 'credit-applications' }) name!: string;
  @ApiProperty({ example: '2026-01' }) version!: string;
  @ApiProperty({ example: `sha256:${'9f'.repeat(32)}` }) contentHash!: string;
}

export class ServingVersionAsOf {
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ enum: ['primary', 'canary'] }) role!: 'primary' | 'canary';
  @ApiProperty({ example: 100, description: 'Share of the deployment’s traffic' })
  percent!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The approval its latest rollout here cited; null when none was needed',
  })
  approvalId!: string | null;
  @ApiProperty({
    type: [ApproverAsOf],
    description: 'Stages of that approval granted by then, in stage order',
  })
  approvers!: ApproverAsOf[];
  @ApiProperty({
    type: [DatasetVersionAsOf],
    description: 'The dataset versions the model version was trained on',
  })
  datasetVersions!: DatasetVersionAsOf[];
}

export class DeploymentAsOf extends DeploymentRow {
  @ApiProperty({
    type: [ServingVersionAsOf],
    description: 'The versions answering requests then (none unless active), primary first',
  })
  serving!: ServingVersionAsOf[];
}

export class DeploymentListAsOf {
  @ApiProperty({ type: String, format: 'date-time', example: '2026-03-01T00:00:00.000Z' })
  asOf!: string;
  @ApiProperty({
    type: [DeploymentAsOf],
    description:
      'Each deployment as it stood then, in the requested sort (default: by model, then environment); one not yet rolled out is absent',
  })
  items!: DeploymentAsOf[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

export class ListDeploymentsAsOfQuery extends Query<DeploymentListAsOf> {
  constructor(
    readonly asOf: Date,
    readonly filters: { environment?: string; model?: string; status?: string } & PageQuery,
  ) {
    super();
  }
}

type StagesRow = { approvalId: string; stages: StageSnapshot[] };
type StageSnapshot = { stage: number; role: string; status: string; by: string | null; at: string };
type DatasetsRow = { model: string; version: string; datasetVersions: DatasetVersionAsOf[] };

/**
 * What served where at an instant, from `deployment_timeline`; each serving version's approvers
 * from `approval_timeline` at the same instant, and its training data from its registration.
 */
@QueryHandler(ListDeploymentsAsOfQuery)
export class ListDeploymentsAsOfQueryHandler implements IQueryHandler<
  ListDeploymentsAsOfQuery,
  DeploymentListAsOf
> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async execute({ asOf, filters }: ListDeploymentsAsOfQuery): Promise<DeploymentListAsOf> {
    const all = await deploymentsAt(this.dataSource, asOf, filters);
    const views = new Map(all.map((row) => [deploymentRow(row), row]));
    const page = pageInMemory(DEPLOYMENT_LISTING, filters, [...views.keys()], (d) => d.updatedAt);
    const rows = page.items.map((view) => views.get(view) as (typeof all)[number]);
    const serving = rows.map((row) => servingAt(momentOf(row)));
    const versions = serving.flat();
    const [approvers, datasets] = await Promise.all([
      this.approversAt(
        versions.flatMap((entry) => (entry.approvalId ? [entry.approvalId] : [])),
        asOf,
      ),
      this.datasetsOf(rows, serving),
    ]);
    const items = rows.map((row, index): DeploymentAsOf => ({
      ...page.items[index],
      serving: serving[index].map((entry) => ({
        ...entry,
        approvers: (entry.approvalId && approvers.get(entry.approvalId)) || [],
        datasetVersions: datasets.get(`${row.model}@${entry.version}`) ?? [],
      })),
    }));
    return { asOf: asOf.toISOString(), items, nextCursor: page.nextCursor };
  }

  private async approversAt(ids: string[], asOf: Date): Promise<Map<string, ApproverAsOf[]>> {
    const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
    if (wanted.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT ON (approval_id) approval_id AS "approvalId", stages
       FROM approval_timeline WHERE approval_id = ANY($1::uuid[]) AND at <= $2
       ORDER BY approval_id, revision DESC`,
      [wanted, asOf],
    )) as StagesRow[];
    return new Map(
      rows.map((row) => [
        row.approvalId,
        row.stages
          .filter((stage) => stage.status === 'granted' && stage.by !== null)
          .map((stage) => ({
            stage: stage.stage,
            role: stage.role,
            sub: stage.by as string,
            at: new Date(stage.at).toISOString(),
          })),
      ]),
    );
  }

  private async datasetsOf(
    rows: MomentRow[],
    serving: { version: string }[][],
  ): Promise<Map<string, DatasetVersionAsOf[]>> {
    const pairs = rows.flatMap((row, index) =>
      serving[index].map((entry) => [row.model, entry.version] as const),
    );
    if (pairs.length === 0) return new Map();
    const found = (await this.dataSource.query(
      `SELECT model, version, dataset_versions AS "datasetVersions" FROM model_versions
       WHERE (model, version) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [pairs.map(([name]) => name), pairs.map(([, version]) => version)],
    )) as DatasetsRow[];
    return new Map(
      found.map((row) => [
        `${row.model}@${row.version}`,
        row.datasetVersions.map(({ name, version, contentHash }) => ({
          name,
          version,
          contentHash,
        })),
      ]),
    );
  }
}

/** The same fields, and types, as a `deployments` row. */
function deploymentRow(row: MomentRow): DeploymentRow {
  return {
    deploymentId: row.deploymentId,
    model: row.model,
    environment: row.environment,
    version: row.version,
    canaryVersion: row.canaryVersion,
    canaryPercent: row.canaryPercent,
    strategy: row.strategy,
    status: row.status,
    approvalId: row.approvalId,
    deployedBy: row.deployedBy,
    updatedAt: row.at,
    lastRevision: Number(row.revision),
  };
}
