import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, LessThanOrEqual } from 'typeorm';
import type { ServingShare } from '../../../deployments/queries/deployments-as-of/version-deployments';
import type { ModelCard } from '../model-registry-as-of/model-card-history';
import type { ModelCardView } from '../model-registry/model.view';
import { type DeploymentNow, versionStandings } from '../model-registry/version-standing';
import { currentCard, standingOf } from '../model-registry/model-registry.query-handler';
import { ModelVersionRecord } from '../model-registry/model-registry.read-model';
import type { ModelVersionStatus } from '../model-registry/version-status';

/** One version in the inventory: its card, who registered it, its status and where it serves. */
export type InventoryVersion = {
  version: string;
  status: ModelVersionStatus;
  card: ModelCardView;
  registeredBy: string;
  registeredAt: string;
  serving: ServingShare[];
};

/** One model: its versions in registration order (the last is the latest) and its deployments. */
export type InventoryModel = {
  name: string;
  latestVersion: string;
  versions: InventoryVersion[];
  /** Each deployment of the model as its newest step (by the instant) left it, by environment. */
  deployments: DeploymentNow[];
};

export type ModelInventory = {
  /** The instant shown; null: as recorded now. */
  asOf: string | null;
  /** By name. */
  models: InventoryModel[];
};

/**
 * Every model with every version, in three to five statements whatever the number of models
 * (README, "Console"): the versions (with their cards now, or as `model_card_history` held them
 * at `asOf`) and `versionStandings` for status and serving, joined in memory.
 */
export class ListModelInventoryQuery extends Query<ModelInventory> {
  constructor(
    /** Null: as recorded now. */
    readonly asOf: Date | null,
    /** Only this model (its page); omitted: every model. */
    readonly model?: string,
  ) {
    super();
  }
}

const iso = (value: Date | string | null) => (value ? new Date(value).toISOString() : null);

@QueryHandler(ListModelInventoryQuery)
export class ListModelInventoryQueryHandler implements IQueryHandler<
  ListModelInventoryQuery,
  ModelInventory
> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async execute({ asOf, model }: ListModelInventoryQuery): Promise<ModelInventory> {
    const models = model === undefined ? null : [model];
    const [rows, cards, standings] = await Promise.all([
      this.dataSource.getRepository(ModelVersionRecord).find({
        where: {
          ...(models ? { model: In(models) } : {}),
          ...(asOf ? { registeredAt: LessThanOrEqual(asOf) } : {}),
        },
        order: { model: 'ASC', registrationRevision: 'ASC' },
      }),
      asOf === null ? Promise.resolve(null) : this.cardsAt(models, asOf),
      versionStandings(this.dataSource, models, asOf),
    ]);
    const byModel = new Map<string, InventoryVersion[]>();
    for (const row of rows) {
      const key = `${row.model}@${row.version}`;
      // As of an instant, the card its history held then; a version without one was not yet
      // read back then, as GET /models/{name}?asOf leaves it out.
      const card = cards === null ? currentCard(row) : cards.get(key);
      if (!card) continue;
      const standing = standingOf(standings, row.model, row.version);
      const list = byModel.get(row.model) ?? [];
      list.push({
        version: row.version,
        status: standing.status,
        card,
        registeredBy: row.registeredBy,
        registeredAt: iso(row.registeredAt) as string,
        serving: standing.serving,
      });
      byModel.set(row.model, list);
    }
    const inventory = [...byModel]
      .map(([name, versions]) => ({
        name,
        latestVersion: versions[versions.length - 1].version,
        versions,
        deployments: standings.deployments.get(name) ?? [],
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { asOf: asOf === null ? null : asOf.toISOString(), models: inventory };
  }

  /** Each version's card as its newest change at or before `asOf` left it. */
  private async cardsAt(models: string[] | null, asOf: Date): Promise<Map<string, ModelCardView>> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT ON (model, version) model, version, card FROM model_card_history
       WHERE ($1::text[] IS NULL OR model = ANY($1::text[])) AND at <= $2
       ORDER BY model, version, revision DESC`,
      [models, asOf],
    )) as { model: string; version: string; card: ModelCard }[];
    return new Map(
      rows.map(({ model, version, card }) => [
        `${model}@${version}`,
        { ...card, updatedAt: iso(card.updatedAt) },
      ]),
    );
  }
}
