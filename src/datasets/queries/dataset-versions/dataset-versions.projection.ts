import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { unhandled } from '../../../ledger/commands/decider';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import { DATASET_EVENT_TYPES, type DatasetEvent } from '../../dataset.events';

/** Dataset versions as the registry shows them; every statement is safe to replay. */
@Injectable()
@ReadModelProjection()
export class DatasetVersionsProjection implements Projection {
  readonly name = 'dataset-versions';
  readonly eventTypes = DATASET_EVENT_TYPES;
  readonly tables = ['dataset_versions'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as DatasetEvent;
    switch (event.type) {
      case 'DatasetVersionRegistered': {
        const d = event.data;
        await manager.query(
          `INSERT INTO dataset_versions (name, version, content_hash, rows, schema, location, region,
             contains_personal, contains_sensitive, lawful_basis, collection_notice, purpose, retention,
             pia_id, parents, status, registered_by, registered_at, event_id, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'active', $16, $17, $18,
             jsonb_build_object('status', 'not-stored', 'digest', $3::text))
           ON CONFLICT (name, version) DO NOTHING`,
          [
            d.name,
            d.version,
            d.contentHash,
            d.rows,
            JSON.stringify(d.schema),
            d.location,
            d.region,
            d.containsPersonalInformation,
            d.containsSensitiveInformation,
            d.lawfulBasis,
            d.collectionNotice,
            d.purpose,
            d.retention,
            d.piaId,
            JSON.stringify(d.parents),
            d.registeredBy,
            d.registeredAt,
            recorded.id,
          ],
        );
        return;
      }
      case 'DatasetValidated': {
        const d = event.data;
        const entry = {
          validationId: d.validationId,
          suite: d.suite,
          passed: d.passed,
          failedChecks: d.checks.filter((check) => !check.passed).map((check) => check.name),
          validatedBy: d.validatedBy,
          validatedAt: d.validatedAt,
        };
        await manager.query(
          `UPDATE dataset_versions SET validations = validations || $3::jsonb
           WHERE name = $1 AND version = $2
             AND NOT validations @> jsonb_build_array(jsonb_build_object('validationId', $4::text))`,
          [d.name, d.version, JSON.stringify([entry]), d.validationId],
        );
        return;
      }
      case 'DatasetProfiled': {
        const d = event.data;
        const profile = { profileId: d.profileId, features: d.features, profiledAt: d.profiledAt };
        await manager.query(
          `UPDATE dataset_versions SET latest_profile = $3::jsonb WHERE name = $1 AND version = $2`,
          [d.name, d.version, JSON.stringify(profile)],
        );
        return;
      }
      case 'DatasetVersionRetired':
        await manager.query(
          `UPDATE dataset_versions SET status = 'retired', retired_reason = $3 WHERE name = $1 AND version = $2`,
          [event.data.name, event.data.version, event.data.reason],
        );
        return;
      case 'DatasetDataStored': {
        // The file's digest is the registered contentHash; the view shows where the file stands.
        const { name, version, digest, size, storedAt } = event.data;
        const data = { status: 'stored', digest, size, storedAt };
        await manager.query(
          `UPDATE dataset_versions SET data = $3::jsonb WHERE name = $1 AND version = $2`,
          [name, version, JSON.stringify(data)],
        );
        return;
      }
      case 'DatasetDataPurged': {
        const { name, version, digest, purgedAt } = event.data;
        // Keeps the size and when it was stored, as the DatasetDataStored before it recorded.
        await manager.query(
          `UPDATE dataset_versions
           SET data = data || jsonb_build_object('status', 'purged', 'digest', $3::text, 'purgedAt', $4::text)
           WHERE name = $1 AND version = $2`,
          [name, version, digest, purgedAt],
        );
        return;
      }
      default:
        unhandled(event);
    }
  }
}
