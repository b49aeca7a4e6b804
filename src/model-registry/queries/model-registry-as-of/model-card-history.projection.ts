import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { recordset } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
  type Recorded,
} from '../../../ledger/projections/projection';
import { type EventShape, wellFormed } from '../../../training-runs/recorded-event-shape';
import type { ModelCardUpdated, ModelEvent, ModelVersionRegistered } from '../../model.events';
import { type ModelCard, cardChanges, registeredCard, updatedCard } from './model-card-history';

/** What the registry needs of these events to record them (events that lack it are skipped there too). */
const SHAPES: Record<'ModelVersionRegistered' | 'ModelCardUpdated', EventShape> = {
  ModelVersionRegistered: {
    text: [
      'model',
      'version',
      'riskTier',
      'decisionClass',
      'decisions',
      'intendedUse',
      'owner',
      'registeredBy',
    ],
    times: ['registeredAt'],
    lists: ['personalInformationKinds', 'limitations'],
  },
  ModelCardUpdated: {
    text: ['model', 'version', 'updatedBy'],
    times: ['updatedAt'],
    objects: ['changes'],
  },
};

type CardEvent = Recorded<ModelVersionRegistered> | Recorded<ModelCardUpdated>;

/** A model's rows so far, in revision order. */
type History = { revision: bigint; version: string; card: ModelCard }[];

/**
 * `model_card_history`: every registration and card change with the whole card it left, dated by
 * the event's occurredAt. Keyed by model-stream revision and folded from the version's previous
 * row in this same table, so a replayed event changes nothing and a rebuild needs nothing else.
 * A run reads its models' rows once, folds its events in memory and inserts them in one statement.
 */
@Injectable()
@ReadModelProjection()
export class ModelCardHistoryProjection extends DeclaredProjection<ModelEvent> {
  readonly name = 'model-card-history';
  readonly tables = ['model_card_history'];
  private readonly logger = new Logger(ModelCardHistoryProjection.name);

  protected readonly handlers: Handlers<ModelEvent> = {
    ModelVersionRegistered: (events, { manager }) =>
      fold(manager, wellFormed(events, SHAPES.ModelVersionRegistered, this.logger)),
    ModelCardUpdated: (events, { manager }) =>
      fold(manager, wellFormed(events, SHAPES.ModelCardUpdated, this.logger)),
  };
}

async function fold(manager: EntityManager, events: readonly CardEvent[]): Promise<void> {
  if (events.length === 0) return;
  const models = [...new Set(events.map((event) => event.data.model))];
  const existing = (await manager.query(
    `SELECT model, version, revision::text AS revision, card FROM model_card_history
     WHERE model = ANY($1::text[]) ORDER BY model, revision`,
    [models],
  )) as { model: string; version: string; revision: string; card: ModelCard }[];
  const histories = new Map<string, History>();
  for (const row of existing) {
    const history = histories.get(row.model) ?? [];
    history.push({ revision: BigInt(row.revision), version: row.version, card: row.card });
    histories.set(row.model, history);
  }
  const rows: object[] = [];
  for (const event of events) {
    const { model, version } = event.data;
    const history = histories.get(model) ?? [];
    histories.set(model, history);
    // (model, revision) is the key: a row already there is this very event, replayed.
    if (history.some((entry) => entry.revision === event.revision)) continue;
    const earlier = history.filter(
      (entry) => entry.version === version && entry.revision < event.revision,
    );
    let row: { changes: object; card: ModelCard; changedBy: string };
    if (event.type === 'ModelVersionRegistered') {
      // A version registers once; the registry ignores a repeat, and so does its card's history.
      if (earlier.length > 0) continue;
      const card = registeredCard(event.data);
      const { updatedBy: _by, updatedAt: _at, ...fields } = card;
      row = { changes: fields, card, changedBy: event.data.registeredBy };
    } else {
      const before = earlier.at(-1);
      if (!before) continue;
      row = {
        changes: cardChanges(event.data.changes),
        card: updatedCard(before.card, event.data),
        changedBy: event.data.updatedBy,
      };
    }
    let at = history.length;
    while (at > 0 && history[at - 1].revision > event.revision) at--;
    history.splice(at, 0, { revision: event.revision, version, card: row.card });
    rows.push({
      model,
      revision: event.revision.toString(),
      version,
      event_type: event.type,
      changes: row.changes,
      card: row.card,
      changed_by: row.changedBy,
      at: event.metadata.occurredAt,
      event_id: event.id,
    });
  }
  if (rows.length === 0) return;
  await manager.query(
    `INSERT INTO model_card_history (model, revision, version, event_type, changes, card,
       changed_by, at, event_id)
     SELECT model, revision, version, event_type, changes, card, changed_by, at, event_id
     FROM jsonb_to_recordset($1::jsonb) AS r(model text, revision bigint, version text,
       event_type text, changes jsonb, card jsonb, changed_by text, at timestamptz, event_id uuid)
     ON CONFLICT (model, revision) DO NOTHING`,
    [recordset(rows)],
  );
}
