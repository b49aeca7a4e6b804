import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { pageQuery } from '../../../ledger/queries/paging/listing';
import { type ListModelsRequest, MODEL_LISTING } from './list-models.request.dto';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import {
  ModelEvaluationRecord,
  ModelRecord,
  ModelVersionApprovalRecord,
  ModelVersionRecord,
} from './model-registry.read-model';
import type {
  ModelCardView,
  ModelListView,
  ModelArtifactView,
  ModelSummaryView,
  ModelVersionView,
  ModelView,
  ServiceEvaluationView,
} from './model.view';
import type { ServiceEvaluation } from '../../../evaluation/service-evaluation';
import {
  type Standings,
  type VersionStanding,
  standingKey,
  versionStandings,
} from './version-standing';

export class ListModelsQuery extends Query<ModelListView> {
  constructor(readonly request: ListModelsRequest) {
    super();
  }
}

export class GetModelQuery extends Query<ModelView> {
  constructor(readonly name: string) {
    super();
  }
}

export class GetModelVersionQuery extends Query<ModelVersionView> {
  constructor(
    readonly name: string,
    readonly version: string,
  ) {
    super();
  }
}

type ModelFacts = Pick<ModelRecord, 'name' | 'latestVersion' | 'versionCount' | 'updatedAt'>;
type LatestCard = Pick<ModelCardView, 'owner' | 'riskTier' | 'decisionClass'>;

function summary(model: ModelFacts, latest: LatestCard): ModelSummaryView {
  return {
    name: model.name,
    latestVersion: model.latestVersion,
    versionCount: model.versionCount,
    owner: latest.owner,
    riskTier: latest.riskTier,
    decisionClass: latest.decisionClass,
    updatedAt: model.updatedAt.toISOString(),
  };
}

/** One model with its versions (in registration order) and its deployments, as the view shows it. */
export function modelView(
  model: ModelFacts & Pick<ModelRecord, 'createdAt'>,
  latest: LatestCard,
  versions: Pick<ModelVersionRecord, 'version' | 'riskTier' | 'registeredAt'>[],
  standings: Standings,
): ModelView {
  return {
    ...summary(model, latest),
    createdAt: model.createdAt.toISOString(),
    versions: versions.map((version) => ({
      version: version.version,
      status: standingOf(standings, model.name, version.version).status,
      riskTier: version.riskTier,
      registeredAt: version.registeredAt.toISOString(),
    })),
    deployments: standings.deployments.get(model.name) ?? [],
  };
}

/** The version's standing; a version registered but not yet read back is registered and idle. */
export function standingOf(standings: Standings, model: string, version: string): VersionStanding {
  return (
    standings.versions.get(standingKey(model, version)) ?? {
      status: 'registered',
      approved: false,
      serving: [],
      deploymentHistory: [],
      firstDeployedAt: null,
      lastServedUntil: null,
    }
  );
}

/** The card as the `model_versions` row holds it now. */
export function currentCard(record: ModelVersionRecord): ModelCardView {
  return {
    riskTier: record.riskTier,
    decisionClass: record.decisionClass,
    personalInformationKinds: record.personalInformationKinds,
    decisions: record.decisions,
    intendedUse: record.intendedUse,
    limitations: record.limitations,
    owner: record.owner,
    vendor: record.vendor,
    explainability: record.explainability,
    humanOversight: record.humanOversight,
    consumerDisclosure: record.consumerDisclosure,
    monitoringCadence: record.monitoringCadence,
    updatedBy: record.cardUpdatedBy,
    updatedAt: record.cardUpdatedAt ? record.cardUpdatedAt.toISOString() : null,
  };
}

/** The stored file's record, without the model and version the view already names. */
function artifactView({
  model: _model,
  version: _version,
  ...artifact
}: NonNullable<ModelVersionRecord['artifact']>): ModelArtifactView {
  return artifact;
}

/** What an evaluation Attest ran shows: all but the drift baseline (`distribution`), monitoring's. */
function serviceView({ measures, ...service }: ServiceEvaluation): ServiceEvaluationView {
  const { distribution: _distribution, ...shown } = measures;
  return { ...service, measures: shown };
}

/** One version with the card given, its evaluations, approvals and where it serves. */
export function versionView(
  record: ModelVersionRecord,
  card: ModelCardView,
  evaluations: ModelEvaluationRecord[],
  approvals: ModelVersionApprovalRecord[],
  standing: VersionStanding,
): ModelVersionView {
  return {
    model: record.model,
    version: record.version,
    status: standing.status,
    runId: record.runId,
    trainedBy: record.trainedBy,
    datasetVersions: record.datasetVersions,
    artifactDigest: record.artifactDigest,
    artifact: record.artifact ? artifactView(record.artifact) : null,
    card,
    registeredBy: record.registeredBy,
    registeredAt: record.registeredAt.toISOString(),
    retirement:
      record.retiredAt && record.retiredBy && record.retiredReason !== null
        ? {
            reason: record.retiredReason,
            retiredBy: record.retiredBy,
            retiredAt: record.retiredAt.toISOString(),
          }
        : null,
    evaluations: evaluations.map((evaluation) => ({
      id: evaluation.evaluationId,
      performedBy: evaluation.performedBy,
      service: evaluation.service ? serviceView(evaluation.service) : null,
      datasetVersion: evaluation.datasetVersion,
      metrics: evaluation.metrics,
      baseline: evaluation.baseline,
      fairness: evaluation.fairness,
      verdict: evaluation.verdict,
      evaluatedBy: evaluation.evaluatedBy,
      evaluatedAt: evaluation.evaluatedAt.toISOString(),
    })),
    approvals: approvals.map((approval) => ({
      approvalId: approval.approvalId,
      environment: approval.environment,
      evidenceDigest: approval.evidenceDigest,
      approvers: approval.approvers,
      approvedAt: approval.approvedAt.toISOString(),
    })),
    deployments: standing.serving,
    deploymentHistory: standing.deploymentHistory,
    firstDeployedAt: standing.firstDeployedAt,
    lastServedUntil: standing.lastServedUntil,
  };
}

@QueryHandler(ListModelsQuery)
export class ListModelsQueryHandler implements IQueryHandler<ListModelsQuery, ModelListView> {
  constructor(
    @InjectRepository(ModelRecord) private readonly models: Repository<ModelRecord>,
    @InjectRepository(ModelVersionRecord) private readonly versions: Repository<ModelVersionRecord>,
  ) {}

  async execute({ request }: ListModelsQuery): Promise<ModelListView> {
    const query = this.models.createQueryBuilder('m');
    if (request.riskTier || request.decisionClass) {
      query.innerJoin(ModelVersionRecord, 'v', 'v.model = m.name AND v.version = m.latestVersion');
      if (request.riskTier) query.andWhere('v.riskTier = :riskTier', request);
      if (request.decisionClass) query.andWhere('v.decisionClass = :decisionClass', request);
    }
    const { items: models, nextCursor } = await pageQuery(MODEL_LISTING, request, query);
    if (models.length === 0) return { items: [], nextCursor };
    const latest = await this.versions.findBy(
      models.map((model) => ({ model: model.name, version: model.latestVersion })),
    );
    const byModel = new Map(latest.map((version) => [version.model, version]));
    const items = models.flatMap((model) => {
      const version = byModel.get(model.name);
      return version ? [summary(model, version)] : [];
    });
    return { items, nextCursor };
  }
}

@QueryHandler(GetModelQuery)
export class GetModelQueryHandler implements IQueryHandler<GetModelQuery, ModelView> {
  constructor(
    @InjectRepository(ModelRecord) private readonly models: Repository<ModelRecord>,
    @InjectRepository(ModelVersionRecord) private readonly versions: Repository<ModelVersionRecord>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async execute({ name }: GetModelQuery): Promise<ModelView> {
    const model = await this.models.findOneBy({ name });
    if (!model) throw new NotRecorded('model', name);
    const [versions, standings] = await Promise.all([
      this.versions.find({ where: { model: name }, order: { registrationRevision: 'ASC' } }),
      versionStandings(this.dataSource, [name], null),
    ]);
    const latest = versions.find((version) => version.version === model.latestVersion);
    if (!latest) throw new NotRecorded('model', name);
    return modelView(model, latest, versions, standings);
  }
}

@QueryHandler(GetModelVersionQuery)
export class GetModelVersionQueryHandler implements IQueryHandler<
  GetModelVersionQuery,
  ModelVersionView
> {
  constructor(
    @InjectRepository(ModelVersionRecord) private readonly versions: Repository<ModelVersionRecord>,
    @InjectRepository(ModelEvaluationRecord)
    private readonly evaluations: Repository<ModelEvaluationRecord>,
    @InjectRepository(ModelVersionApprovalRecord)
    private readonly approvals: Repository<ModelVersionApprovalRecord>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async execute({ name, version }: GetModelVersionQuery): Promise<ModelVersionView> {
    const record = await this.versions.findOneBy({ model: name, version });
    if (!record) throw new NotRecorded('model version', `${name}@${version}`);
    const [evaluations, approvals, standings] = await Promise.all([
      this.evaluations.find({
        where: { model: name, version },
        order: { streamRevision: 'ASC' },
      }),
      this.approvals.find({
        where: { model: name, version },
        order: { approvedAt: 'ASC', approvalId: 'ASC' },
      }),
      versionStandings(this.dataSource, [name], null),
    ]);
    const standing = standingOf(standings, name, version);
    return versionView(record, currentCard(record), evaluations, approvals, standing);
  }
}
