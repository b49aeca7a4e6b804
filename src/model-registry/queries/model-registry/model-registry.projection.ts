import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ModelVersionApproved } from '../../../approvals/approval.events';
import { unhandled } from '../../../ledger/commands/decider';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import { type EventShape, hasShape } from '../../../training-runs/recorded-event-shape';
import type { CardChanges } from '../../model.decider';
import {
  MODEL_EVENT_TYPES,
  type ModelEvent,
  type ModelVersionRegistered,
} from '../../model.events';

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Card fields and their columns; arrays are stored as jsonb. */
const CARD_COLUMNS: Record<keyof CardChanges, { column: string; json: boolean }> = {
  intendedUse: { column: 'intended_use', json: false },
  limitations: { column: 'limitations', json: true },
  owner: { column: 'owner', json: false },
  decisions: { column: 'decisions', json: false },
  personalInformationKinds: { column: 'personal_information_kinds', json: true },
  explainability: { column: 'explainability', json: false },
  humanOversight: { column: 'human_oversight', json: false },
  consumerDisclosure: { column: 'consumer_disclosure', json: false },
  monitoringCadence: { column: 'monitoring_cadence', json: false },
};

const SHAPES: Record<ModelEvent['type'] | ModelVersionApproved['type'], EventShape> = {
  ModelVersionRegistered: {
    text: [
      'model',
      'version',
      'runId',
      'trainedBy',
      'artifactDigest',
      'riskTier',
      'decisionClass',
      'decisions',
      'intendedUse',
      'owner',
      'registeredBy',
    ],
    times: ['registeredAt'],
    lists: ['datasetVersions', 'personalInformationKinds', 'limitations'],
  },
  ModelCardUpdated: {
    text: ['model', 'version', 'updatedBy'],
    times: ['updatedAt'],
    objects: ['changes'],
  },
  ModelEvaluated: {
    text: ['model', 'version', 'evaluationId', 'verdict', 'evaluatedBy'],
    times: ['evaluatedAt'],
    lists: ['fairness'],
    objects: ['datasetVersion', 'metrics'],
  },
  ModelVersionRetired: {
    text: ['model', 'version', 'reason', 'retiredBy'],
    times: ['retiredAt'],
  },
  ModelArtifactStored: {
    text: ['model', 'version', 'digest', 'scoreOutput', 'onnxruntimeVersion', 'storedBy'],
    times: ['storedAt'],
    lists: ['opsets', 'operators', 'inputs', 'outputs'],
  },
  ModelVersionApproved: {
    text: ['approvalId', 'model', 'version', 'environment', 'evidenceDigest'],
    times: ['approvedAt'],
    lists: ['approvers'],
  },
};

/**
 * The model registry: `models`, `model_versions` (the current card), `model_evaluations`, and
 * the approvals granted per version. Model-stream events are applied once each, guarded by the
 * stream revision kept on the model's row.
 */
@Injectable()
@ReadModelProjection()
export class ModelRegistryProjection implements Projection {
  readonly name = 'model-registry';
  readonly eventTypes = [...MODEL_EVENT_TYPES, 'ModelVersionApproved'];
  readonly tables = ['models', 'model_versions', 'model_evaluations', 'model_version_approvals'];
  private readonly logger = new Logger(ModelRegistryProjection.name);

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const shape = SHAPES[recorded.type as keyof typeof SHAPES];
    if (!shape || !hasShape(recorded.data, shape)) {
      this.logger.warn({ eventId: recorded.id, type: recorded.type }, 'skipped a malformed event');
      return;
    }
    if (recorded.type === 'ModelVersionApproved') {
      return this.approved(recorded.data as unknown as ModelVersionApproved['data'], manager);
    }
    const event = { type: recorded.type, data: recorded.data } as ModelEvent;
    const revision = recorded.revision.toString();
    const at = recorded.metadata.occurredAt;
    switch (event.type) {
      case 'ModelVersionRegistered': {
        const claimed = (await manager.query(
          `INSERT INTO models (name, latest_version, version_count, created_at, updated_at, last_revision)
           VALUES ($1, $2, 1, $3, $3, $4)
           ON CONFLICT (name) DO UPDATE SET
             latest_version = EXCLUDED.latest_version,
             version_count = models.version_count + 1,
             updated_at = GREATEST(models.updated_at, EXCLUDED.updated_at),
             last_revision = EXCLUDED.last_revision
           WHERE models.last_revision < EXCLUDED.last_revision
           RETURNING name`,
          [event.data.model, event.data.version, event.data.registeredAt, revision],
        )) as unknown[];
        if (claimed.length > 0) await this.registered(event.data, revision, manager);
        return;
      }
      case 'ModelCardUpdated': {
        const { model, version, changes, updatedBy, updatedAt } = event.data;
        if (!(await this.claim(model, revision, at, manager))) return;
        const fields = (Object.keys(changes) as (keyof CardChanges)[]).filter(
          (field) => field in CARD_COLUMNS && changes[field] !== undefined,
        );
        const assignments = fields.map((field, index) => {
          const { column, json } = CARD_COLUMNS[field];
          return `${column} = $${index + 5}${json ? '::jsonb' : ''}`;
        });
        await manager.query(
          `UPDATE model_versions SET ${[...assignments, 'card_updated_by = $3', 'card_updated_at = $4'].join(', ')}
           WHERE model = $1 AND version = $2`,
          [
            model,
            version,
            updatedBy,
            updatedAt,
            ...fields.map((field) =>
              CARD_COLUMNS[field].json ? JSON.stringify(changes[field]) : changes[field],
            ),
          ],
        );
        return;
      }
      case 'ModelEvaluated': {
        const data = event.data;
        if (!(await this.claim(data.model, revision, at, manager))) return;
        // Only Attest's own run, with its service record, counts as computed by Attest (as the
        // approval gate reads it, src/approvals/model-version-facts.ts).
        const byAttest = data.performedBy === 'attest' && isObject(data.service);
        await manager.query(
          `INSERT INTO model_evaluations (evaluation_id, model, version, dataset_version, metrics, baseline,
             fairness, verdict, evaluated_by, evaluated_at, stream_revision, performed_by, service)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13::jsonb)
           ON CONFLICT (evaluation_id) DO NOTHING`,
          [
            data.evaluationId,
            data.model,
            data.version,
            JSON.stringify(data.datasetVersion),
            JSON.stringify(data.metrics),
            data.baseline === null ? null : JSON.stringify(data.baseline),
            JSON.stringify(data.fairness),
            data.verdict,
            data.evaluatedBy,
            data.evaluatedAt,
            revision,
            byAttest ? 'attest' : 'pipeline',
            byAttest ? JSON.stringify(data.service) : null,
          ],
        );
        return;
      }
      case 'ModelVersionRetired': {
        const { model, version, reason, retiredBy, retiredAt } = event.data;
        if (!(await this.claim(model, revision, at, manager))) return;
        await manager.query(
          `UPDATE model_versions SET retired_reason = $3, retired_by = $4, retired_at = $5
           WHERE model = $1 AND version = $2`,
          [model, version, reason, retiredBy, retiredAt],
        );
        return;
      }
      case 'ModelArtifactStored': {
        const { model, version } = event.data;
        if (!(await this.claim(model, revision, at, manager))) return;
        await manager.query(
          `UPDATE model_versions SET artifact = $3::jsonb WHERE model = $1 AND version = $2`,
          [model, version, JSON.stringify(event.data)],
        );
        return;
      }
      default:
        return unhandled(event);
    }
  }

  /** Moves the model's row to this revision; false when the event was already applied. */
  private async claim(
    model: string,
    revision: string,
    at: string,
    manager: EntityManager,
  ): Promise<boolean> {
    const claimed = (await manager.query(
      `UPDATE models SET last_revision = $2, updated_at = GREATEST(updated_at, $3::timestamptz)
       WHERE name = $1 AND last_revision < $2
       RETURNING name`,
      [model, revision, at],
    )) as [unknown[], number] | unknown[];
    // The pg driver answers an UPDATE … RETURNING with [rows, affected count].
    const rows = Array.isArray(claimed[0]) ? (claimed[0] as unknown[]) : claimed;
    return rows.length > 0;
  }

  private async registered(
    data: ModelVersionRegistered['data'],
    revision: string,
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO model_versions (model, version, run_id, trained_by, dataset_versions, artifact_digest,
         risk_tier, decision_class, personal_information_kinds, decisions, intended_use, limitations,
         owner, vendor, registered_by, registered_at, registration_revision)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9::jsonb, $10, $11, $12::jsonb, $13, $14, $15, $16, $17)
       ON CONFLICT (model, version) DO NOTHING`,
      [
        data.model,
        data.version,
        data.runId,
        data.trainedBy,
        JSON.stringify(data.datasetVersions),
        data.artifactDigest,
        data.riskTier,
        data.decisionClass,
        JSON.stringify(data.personalInformationKinds),
        data.decisions,
        data.intendedUse,
        JSON.stringify(data.limitations),
        data.owner,
        data.vendor,
        data.registeredBy,
        data.registeredAt,
        revision,
      ],
    );
  }

  private async approved(
    data: ModelVersionApproved['data'],
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO model_version_approvals (approval_id, model, version, environment, evidence_digest, approvers, approved_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
       ON CONFLICT (approval_id) DO NOTHING`,
      [
        data.approvalId,
        data.model,
        data.version,
        data.environment,
        data.evidenceDigest,
        JSON.stringify(data.approvers),
        data.approvedAt,
      ],
    );
    await manager.query(
      'UPDATE models SET updated_at = GREATEST(updated_at, $2::timestamptz) WHERE name = $1',
      [data.model, data.approvedAt],
    );
  }
}
