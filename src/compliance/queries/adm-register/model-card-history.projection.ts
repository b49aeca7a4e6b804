import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import type {
  ModelCardUpdated,
  ModelVersionRegistered,
} from '../../../model-registry/model.events';
import { type EventShape, hasShape } from '../../../training-runs/recorded-event-shape';

const SHAPES: Record<'ModelVersionRegistered' | 'ModelCardUpdated', EventShape> = {
  ModelVersionRegistered: {
    text: ['model', 'version', 'riskTier', 'decisionClass', 'decisions', 'owner'],
    lists: ['personalInformationKinds'],
  },
  ModelCardUpdated: { text: ['model', 'version'], objects: ['changes'] },
};

/**
 * The ADM facts of each model version's card (decision class, kinds of personal information,
 * decisions, owner) after every change, keyed by stream revision, so the register states them
 * as they stood at the end of the period it reports on.
 */
@Injectable()
@ReadModelProjection()
export class ModelCardHistoryProjection implements Projection {
  readonly name = 'compliance-model-cards';
  readonly eventTypes = ['ModelVersionRegistered', 'ModelCardUpdated'];
  readonly tables = ['compliance_model_cards'];
  private readonly logger = new Logger(ModelCardHistoryProjection.name);

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const shape = SHAPES[recorded.type as keyof typeof SHAPES];
    if (!shape || !hasShape(recorded.data, shape)) {
      this.logger.warn({ eventId: recorded.id, type: recorded.type }, 'skipped a malformed event');
      return;
    }
    const revision = recorded.revision.toString();
    const at = recorded.metadata.occurredAt;
    if (recorded.type === 'ModelVersionRegistered') {
      const d = recorded.data as unknown as ModelVersionRegistered['data'];
      await manager.query(
        `INSERT INTO compliance_model_cards (model, version, revision, decision_class, risk_tier,
           personal_information_kinds, decisions, owner, vendor, effective_at, event_id)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)
         ON CONFLICT (model, version, revision) DO NOTHING`,
        [
          d.model,
          d.version,
          revision,
          d.decisionClass,
          d.riskTier,
          JSON.stringify(d.personalInformationKinds),
          d.decisions,
          d.owner,
          d.vendor ?? null,
          at,
          recorded.id,
        ],
      );
      return;
    }
    const { model, version, changes } = recorded.data as unknown as ModelCardUpdated['data'];
    // The card before this change (by revision, so a replay finds the same one), with it applied.
    await manager.query(
      `INSERT INTO compliance_model_cards (model, version, revision, decision_class, risk_tier,
         personal_information_kinds, decisions, owner, vendor, effective_at, event_id)
       SELECT model, version, $3, decision_class, risk_tier,
              COALESCE($4::jsonb, personal_information_kinds), COALESCE($5, decisions),
              COALESCE($6, owner), vendor, $7, $8
       FROM compliance_model_cards
       WHERE model = $1 AND version = $2 AND revision < $3
       ORDER BY revision DESC LIMIT 1
       ON CONFLICT (model, version, revision) DO NOTHING`,
      [
        model,
        version,
        revision,
        Array.isArray(changes.personalInformationKinds)
          ? JSON.stringify(changes.personalInformationKinds)
          : null,
        typeof changes.decisions === 'string' ? changes.decisions : null,
        typeof changes.owner === 'string' ? changes.owner : null,
        at,
        recorded.id,
      ],
    );
  }
}
