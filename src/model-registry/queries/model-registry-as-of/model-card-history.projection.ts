import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import { type EventShape, hasShape } from '../../../training-runs/recorded-event-shape';
import type { ModelCardUpdated, ModelVersionRegistered } from '../../model.events';
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

/**
 * `model_card_history`: every registration and card change with the whole card it left, dated by
 * the event's occurredAt. Keyed by model-stream revision and folded from the version's previous
 * row in this same table, so a replayed event changes nothing and a rebuild needs nothing else.
 */
@Injectable()
@ReadModelProjection()
export class ModelCardHistoryProjection implements Projection {
  readonly name = 'model-card-history';
  readonly eventTypes = ['ModelVersionRegistered', 'ModelCardUpdated'];
  readonly tables = ['model_card_history'];
  private readonly logger = new Logger(ModelCardHistoryProjection.name);

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const shape = SHAPES[recorded.type as keyof typeof SHAPES];
    if (!shape || !hasShape(recorded.data, shape)) {
      this.logger.warn({ eventId: recorded.id, type: recorded.type }, 'skipped a malformed event');
      return;
    }
    if (recorded.type === 'ModelVersionRegistered') {
      const data = recorded.data as unknown as ModelVersionRegistered['data'];
      // A version registers once; the registry ignores a repeat, and so does its card's history.
      const [earlier] = (await manager.query(
        `SELECT 1 FROM model_card_history WHERE model = $1 AND version = $2 AND revision < $3 LIMIT 1`,
        [data.model, data.version, recorded.revision.toString()],
      )) as unknown[];
      if (earlier) return;
      const card = registeredCard(data);
      const { updatedBy: _by, updatedAt: _at, ...fields } = card;
      return insert(manager, recorded, data.model, data.version, fields, card, data.registeredBy);
    }
    const data = recorded.data as unknown as ModelCardUpdated['data'];
    const [before] = (await manager.query(
      `SELECT card FROM model_card_history
       WHERE model = $1 AND version = $2 AND revision < $3 ORDER BY revision DESC LIMIT 1`,
      [data.model, data.version, recorded.revision.toString()],
    )) as { card: ModelCard }[];
    if (!before) return;
    const card = updatedCard(before.card, data);
    await insert(
      manager,
      recorded,
      data.model,
      data.version,
      cardChanges(data.changes),
      card,
      data.updatedBy,
    );
  }
}

async function insert(
  manager: EntityManager,
  recorded: RecordedEvent,
  model: string,
  version: string,
  changes: object,
  card: ModelCard,
  changedBy: string,
): Promise<void> {
  await manager.query(
    `INSERT INTO model_card_history (model, revision, version, event_type, changes, card, changed_by,
       at, event_id)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9)
     ON CONFLICT (model, revision) DO NOTHING`,
    [
      model,
      recorded.revision.toString(),
      version,
      recorded.type,
      JSON.stringify(changes),
      JSON.stringify(card),
      changedBy,
      recorded.metadata.occurredAt,
      recorded.id,
    ],
  );
}
