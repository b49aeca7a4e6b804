import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, LessThanOrEqual, Repository } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { modelView, standingOf, versionView } from '../model-registry/model-registry.query-handler';
import {
  ModelEvaluationRecord,
  ModelVersionApprovalRecord,
  ModelVersionRecord,
} from '../model-registry/model-registry.read-model';
import { type ModelCardView, ModelVersionView, ModelView } from '../model-registry/model.view';
import { versionStandings } from '../model-registry/version-standing';
import type { ModelCard } from './model-card-history';

export class ModelViewAsOf extends ModelView {
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The instant the model is shown as of',
  })
  asOf!: string;
}

export class ModelVersionViewAsOf extends ModelVersionView {
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The instant the version is shown as of',
  })
  asOf!: string;
}

export class GetModelAsOfQuery extends Query<ModelViewAsOf> {
  constructor(
    readonly name: string,
    readonly asOf: Date,
  ) {
    super();
  }
}

export class GetModelVersionAsOfQuery extends Query<ModelVersionViewAsOf> {
  constructor(
    readonly name: string,
    readonly version: string,
    readonly asOf: Date,
  ) {
    super();
  }
}

/** Each version's card as its newest change at or before `asOf` left it. */
async function cardsAt(
  dataSource: DataSource,
  model: string,
  asOf: Date,
  version?: string,
): Promise<Map<string, ModelCardView>> {
  const rows = (await dataSource.query(
    `SELECT DISTINCT ON (version) version, card FROM model_card_history
     WHERE model = $1 AND at <= $2 ${version === undefined ? '' : 'AND version = $3'}
     ORDER BY version, revision DESC`,
    version === undefined ? [model, asOf] : [model, asOf, version],
  )) as { version: string; card: ModelCard }[];
  return new Map(
    rows.map(({ version, card }) => [
      version,
      { ...card, updatedAt: card.updatedAt ? new Date(card.updatedAt).toISOString() : null },
    ]),
  );
}

/** The version as registered, its retirement shown only once it had happened. */
function asItWas(record: ModelVersionRecord, asOf: Date): ModelVersionRecord {
  if (record.retiredAt === null || record.retiredAt <= asOf) return record;
  return { ...record, retiredAt: null, retiredBy: null, retiredReason: null };
}

/**
 * A model as it stood at an instant: versions registered by then, each card from
 * `model_card_history`, approvals granted and deployments serving then. Registrations,
 * evaluations, approvals and retirements are dated facts that never change, so their rows are
 * read up to the instant; what does change (cards, deployments) comes from its history.
 */
@QueryHandler(GetModelAsOfQuery)
export class GetModelAsOfQueryHandler implements IQueryHandler<GetModelAsOfQuery, ModelViewAsOf> {
  constructor(
    @InjectRepository(ModelVersionRecord) private readonly versions: Repository<ModelVersionRecord>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async execute({ name, asOf }: GetModelAsOfQuery): Promise<ModelViewAsOf> {
    const [registered, cards, standings, [{ updatedAt }]] = await Promise.all([
      this.versions.find({
        where: { model: name, registeredAt: LessThanOrEqual(asOf) },
        order: { registrationRevision: 'ASC' },
      }),
      cardsAt(this.dataSource, name, asOf),
      versionStandings(this.dataSource, [name], asOf),
      this.dataSource.query(
        `SELECT GREATEST(
           (SELECT max(at) FROM model_card_history WHERE model = $1 AND at <= $2),
           (SELECT max(evaluated_at) FROM model_evaluations WHERE model = $1 AND evaluated_at <= $2),
           (SELECT max(retired_at) FROM model_versions WHERE model = $1 AND retired_at <= $2),
           (SELECT max(approved_at) FROM model_version_approvals WHERE model = $1 AND approved_at <= $2)
         ) AS "updatedAt"`,
        [name, asOf],
      ) as Promise<{ updatedAt: Date | null }[]>,
    ]);
    const versions = registered
      .filter((version) => cards.has(version.version))
      .map((version) => asItWas(version, asOf));
    const latest = versions.at(-1);
    if (!latest || !updatedAt)
      throw new NotRecorded('model', `${name} as of ${asOf.toISOString()}`);
    const view = modelView(
      {
        name,
        latestVersion: latest.version,
        versionCount: versions.length,
        createdAt: versions[0].registeredAt,
        updatedAt,
      },
      cards.get(latest.version) as ModelCardView,
      versions,
      standings,
    );
    return { ...view, asOf: asOf.toISOString() };
  }
}

@QueryHandler(GetModelVersionAsOfQuery)
export class GetModelVersionAsOfQueryHandler implements IQueryHandler<
  GetModelVersionAsOfQuery,
  ModelVersionViewAsOf
> {
  constructor(
    @InjectRepository(ModelVersionRecord) private readonly versions: Repository<ModelVersionRecord>,
    @InjectRepository(ModelEvaluationRecord)
    private readonly evaluations: Repository<ModelEvaluationRecord>,
    @InjectRepository(ModelVersionApprovalRecord)
    private readonly approvals: Repository<ModelVersionApprovalRecord>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async execute({ name, version, asOf }: GetModelVersionAsOfQuery): Promise<ModelVersionViewAsOf> {
    const [record, cards, evaluations, approvals, standings] = await Promise.all([
      this.versions.findOneBy({ model: name, version, registeredAt: LessThanOrEqual(asOf) }),
      cardsAt(this.dataSource, name, asOf, version),
      this.evaluations.find({
        where: { model: name, version, evaluatedAt: LessThanOrEqual(asOf) },
        order: { streamRevision: 'ASC' },
      }),
      this.approvals.find({
        where: { model: name, version, approvedAt: LessThanOrEqual(asOf) },
        order: { approvedAt: 'ASC', approvalId: 'ASC' },
      }),
      versionStandings(this.dataSource, [name], asOf),
    ]);
    const card = cards.get(version);
    if (!record || !card) {
      throw new NotRecorded('model version', `${name}@${version} as of ${asOf.toISOString()}`);
    }
    const view = versionView(
      asItWas(record, asOf),
      card,
      evaluations,
      approvals,
      standingOf(standings, name, version),
    );
    return { ...view, asOf: asOf.toISOString() };
  }
}
