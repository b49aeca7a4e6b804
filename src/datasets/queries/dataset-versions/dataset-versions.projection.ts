import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { firstPerKey, keyOf, recordset, waves } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
  type Recorded,
} from '../../../ledger/projections/projection';
import type { DatasetEvent } from '../../dataset.events';

type VersionEvent = Recorded<{ type: string; data: { name: string; version: string } }>;
const versionKey = (event: VersionEvent) => keyOf(event.data.name, event.data.version);

/**
 * Dataset versions as the registry shows them; every statement is safe to replay. A run of
 * registrations is one multi-row insert; a run of changes is one `UPDATE … FROM` per wave (a
 * version changed twice in a run takes two waves, in ledger order).
 */
@Injectable()
@ReadModelProjection()
export class DatasetVersionsProjection extends DeclaredProjection<DatasetEvent> {
  readonly name = 'dataset-versions';
  readonly tables = ['dataset_versions'];

  protected readonly handlers: Handlers<DatasetEvent> = {
    DatasetVersionRegistered: async (events, { manager }) => {
      const rows = firstPerKey(events, versionKey).map(({ id, data: d }) => ({
        name: d.name,
        version: d.version,
        content_hash: d.contentHash,
        rows: d.rows,
        schema: d.schema,
        location: d.location,
        region: d.region,
        contains_personal: d.containsPersonalInformation,
        contains_sensitive: d.containsSensitiveInformation,
        lawful_basis: d.lawfulBasis,
        collection_notice: d.collectionNotice,
        purpose: d.purpose,
        retention: d.retention,
        pia_id: d.piaId,
        parents: d.parents,
        registered_by: d.registeredBy,
        registered_at: d.registeredAt,
        event_id: id,
      }));
      await manager.query(
        `INSERT INTO dataset_versions (name, version, content_hash, rows, schema, location, region,
           contains_personal, contains_sensitive, lawful_basis, collection_notice, purpose, retention,
           pia_id, parents, status, registered_by, registered_at, event_id, data)
         SELECT name, version, content_hash, rows, schema, location, region, contains_personal,
           contains_sensitive, lawful_basis, collection_notice, purpose, retention, pia_id, parents,
           'active', registered_by, registered_at, event_id,
           jsonb_build_object('status', 'not-stored', 'digest', content_hash)
         FROM jsonb_to_recordset($1::jsonb) AS r(name text, version text, content_hash text,
           rows bigint, schema jsonb, location text, region text, contains_personal boolean,
           contains_sensitive boolean, lawful_basis text, collection_notice text, purpose text,
           retention text, pia_id text, parents jsonb, registered_by text,
           registered_at timestamptz, event_id uuid)
         ON CONFLICT (name, version) DO NOTHING`,
        [recordset(rows)],
      );
    },

    DatasetValidated: (events, { manager }) =>
      inWaves(manager, events, (wave) => [
        `UPDATE dataset_versions d SET validations = d.validations || jsonb_build_array(r.entry)
         FROM jsonb_to_recordset($1::jsonb) AS r(name text, version text, entry jsonb)
         WHERE d.name = r.name AND d.version = r.version
           AND NOT d.validations @> jsonb_build_array(jsonb_build_object('validationId', r.entry -> 'validationId'))`,
        wave.map(({ data: d }) => ({
          name: d.name,
          version: d.version,
          entry: {
            validationId: d.validationId,
            suite: d.suite,
            passed: d.passed,
            failedChecks: d.checks.filter((check) => !check.passed).map((check) => check.name),
            validatedBy: d.validatedBy,
            validatedAt: d.validatedAt,
          },
        })),
      ]),

    DatasetProfiled: (events, { manager }) =>
      inWaves(manager, events, (wave) => [
        `UPDATE dataset_versions d SET latest_profile = r.profile
         FROM jsonb_to_recordset($1::jsonb) AS r(name text, version text, profile jsonb)
         WHERE d.name = r.name AND d.version = r.version`,
        wave.map(({ data: d }) => ({
          name: d.name,
          version: d.version,
          profile: { profileId: d.profileId, features: d.features, profiledAt: d.profiledAt },
        })),
      ]),

    DatasetVersionRetired: (events, { manager }) =>
      inWaves(manager, events, (wave) => [
        `UPDATE dataset_versions d SET status = 'retired', retired_reason = r.reason
         FROM jsonb_to_recordset($1::jsonb) AS r(name text, version text, reason text)
         WHERE d.name = r.name AND d.version = r.version`,
        wave.map(({ data: d }) => ({ name: d.name, version: d.version, reason: d.reason })),
      ]),

    // The file's digest is the registered contentHash; the view shows where the file stands.
    DatasetDataStored: (events, { manager }) =>
      inWaves(manager, events, (wave) => [
        `UPDATE dataset_versions d SET data = r.data
         FROM jsonb_to_recordset($1::jsonb) AS r(name text, version text, data jsonb)
         WHERE d.name = r.name AND d.version = r.version`,
        wave.map(({ data: { name, version, digest, size, storedAt } }) => ({
          name,
          version,
          data: { status: 'stored', digest, size, storedAt },
        })),
      ]),

    // Keeps the size and when it was stored, as the DatasetDataStored before it recorded.
    DatasetDataPurged: (events, { manager }) =>
      inWaves(manager, events, (wave) => [
        `UPDATE dataset_versions d SET data = d.data || r.purged
         FROM jsonb_to_recordset($1::jsonb) AS r(name text, version text, purged jsonb)
         WHERE d.name = r.name AND d.version = r.version`,
        wave.map(({ data: { name, version, digest, purgedAt } }) => ({
          name,
          version,
          purged: { status: 'purged', digest, purgedAt },
        })),
      ]),
  };
}

/** One statement per wave of the run (each version at most once per wave), in ledger order. */
async function inWaves<E extends VersionEvent>(
  manager: EntityManager,
  events: readonly E[],
  statement: (wave: E[]) => [sql: string, rows: object[]],
): Promise<void> {
  for (const wave of waves(events, versionKey)) {
    const [sql, rows] = statement(wave);
    await manager.query(sql, [recordset(rows)]);
  }
}
