import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ModelVersionApproved } from '../../../approvals/approval.events';
import { firstPerKey, keyOf, recordset, waves } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
  type Recorded,
} from '../../../ledger/projections/projection';
import { type EventShape, wellFormed } from '../../../training-runs/recorded-event-shape';
import type { CardChanges } from '../../model.decider';
import type { ModelEvent } from '../../model.events';

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

/** Each card column takes the change's value when the change names its field, else keeps its own. */
const CARD_ASSIGNMENTS = Object.entries(CARD_COLUMNS)
  .map(
    ([field, { column, json }]) =>
      `${column} = CASE WHEN r.changes -> '${field}' IS NOT NULL
         THEN r.changes ${json ? '->' : '->>'} '${field}' ELSE v.${column} END`,
  )
  .join(',\n');

type RegistryEvent = ModelEvent | ModelVersionApproved;

const SHAPES: Record<RegistryEvent['type'], EventShape> = {
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

type VersionEvent = Recorded<{ type: string; data: { model: string; version: string } }>;
const versionKey = (event: VersionEvent) => keyOf(event.data.model, event.data.version);

/** The latest of ISO instants (as GREATEST compares them). */
const latest = (instants: readonly string[]) =>
  instants.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));

/**
 * The model registry: `models`, `model_versions` (the current card), `model_evaluations`, and
 * the approvals granted per version. Model-stream events are applied once each, guarded by the
 * stream revision kept on the model's row: a run reads its models' revisions once, keeps the
 * events past them, moves the rows on in one statement and writes the events' rows in one
 * statement per wave (a version changed twice in a run takes two, in ledger order).
 */
@Injectable()
@ReadModelProjection()
export class ModelRegistryProjection extends DeclaredProjection<RegistryEvent> {
  readonly name = 'model-registry';
  readonly tables = ['models', 'model_versions', 'model_evaluations', 'model_version_approvals'];
  private readonly logger = new Logger(ModelRegistryProjection.name);

  protected readonly handlers: Handlers<RegistryEvent> = {
    ModelVersionRegistered: async (run, { manager }) => {
      const events = wellFormed(run, SHAPES.ModelVersionRegistered, this.logger);
      const claimed = await unapplied(manager, events, true);
      if (claimed.length === 0) return;
      const models = new Map<string, { first: (typeof claimed)[number]; all: typeof claimed }>();
      for (const event of claimed) {
        const entry = models.get(event.data.model);
        if (entry) entry.all.push(event);
        else models.set(event.data.model, { first: event, all: [event] });
      }
      await manager.query(
        `INSERT INTO models (name, latest_version, version_count, created_at, updated_at, last_revision)
         SELECT name, latest_version, version_count, created_at, updated_at, last_revision
         FROM jsonb_to_recordset($1::jsonb) AS r(name text, latest_version text,
           version_count int, created_at timestamptz, updated_at timestamptz, last_revision bigint)
         ON CONFLICT (name) DO UPDATE SET
           latest_version = EXCLUDED.latest_version,
           version_count = models.version_count + EXCLUDED.version_count,
           updated_at = GREATEST(models.updated_at, EXCLUDED.updated_at),
           last_revision = EXCLUDED.last_revision
         WHERE models.last_revision < EXCLUDED.last_revision`,
        [
          recordset(
            [...models].map(([name, { first, all }]) => {
              const last = all[all.length - 1];
              return {
                name,
                latest_version: last.data.version,
                version_count: all.length,
                created_at: first.data.registeredAt,
                updated_at: latest(all.map((event) => event.data.registeredAt)),
                last_revision: last.revision.toString(),
              };
            }),
          ),
        ],
      );
      const versions = firstPerKey(claimed, versionKey).map(({ data, revision }) => ({
        model: data.model,
        version: data.version,
        run_id: data.runId,
        trained_by: data.trainedBy,
        dataset_versions: data.datasetVersions,
        artifact_digest: data.artifactDigest,
        risk_tier: data.riskTier,
        decision_class: data.decisionClass,
        personal_information_kinds: data.personalInformationKinds,
        decisions: data.decisions,
        intended_use: data.intendedUse,
        limitations: data.limitations,
        owner: data.owner,
        vendor: data.vendor,
        registered_by: data.registeredBy,
        registered_at: data.registeredAt,
        registration_revision: revision.toString(),
      }));
      await manager.query(
        `INSERT INTO model_versions (model, version, run_id, trained_by, dataset_versions,
           artifact_digest, risk_tier, decision_class, personal_information_kinds, decisions,
           intended_use, limitations, owner, vendor, registered_by, registered_at,
           registration_revision)
         SELECT model, version, run_id, trained_by, dataset_versions, artifact_digest, risk_tier,
           decision_class, personal_information_kinds, decisions, intended_use, limitations, owner,
           vendor, registered_by, registered_at, registration_revision
         FROM jsonb_to_recordset($1::jsonb) AS r(model text, version text, run_id text,
           trained_by text, dataset_versions jsonb, artifact_digest text, risk_tier text,
           decision_class text, personal_information_kinds jsonb, decisions text,
           intended_use text, limitations jsonb, owner text, vendor text, registered_by text,
           registered_at timestamptz, registration_revision bigint)
         ON CONFLICT (model, version) DO NOTHING`,
        [recordset(versions)],
      );
    },

    ModelCardUpdated: async (run, { manager }) => {
      const events = wellFormed(run, SHAPES.ModelCardUpdated, this.logger);
      await inWaves(
        manager,
        await unapplied(manager, events),
        `UPDATE model_versions v SET ${CARD_ASSIGNMENTS},
           card_updated_by = r.updated_by, card_updated_at = r.updated_at
         FROM jsonb_to_recordset($1::jsonb) AS r(model text, version text, changes jsonb,
           updated_by text, updated_at timestamptz)
         WHERE v.model = r.model AND v.version = r.version`,
        ({ data }) => ({
          model: data.model,
          version: data.version,
          // Only card fields with a value; JSON leaves out an undefined one.
          changes: Object.fromEntries(
            Object.entries(data.changes).filter(([field]) => Object.hasOwn(CARD_COLUMNS, field)),
          ),
          updated_by: data.updatedBy,
          updated_at: data.updatedAt,
        }),
      );
    },

    ModelEvaluated: async (run, { manager }) => {
      const events = await unapplied(manager, wellFormed(run, SHAPES.ModelEvaluated, this.logger));
      if (events.length === 0) return;
      const rows = firstPerKey(events, (event) => event.data.evaluationId).map(
        ({ data, revision }) => {
          // Only Attest's own run, with its service record, counts as computed by Attest (as the
          // approval gate reads it, src/approvals/model-version-facts.ts).
          const byAttest = data.performedBy === 'attest' && isObject(data.service);
          return {
            evaluation_id: data.evaluationId,
            model: data.model,
            version: data.version,
            dataset_version: data.datasetVersion,
            metrics: data.metrics,
            baseline: data.baseline,
            fairness: data.fairness,
            verdict: data.verdict,
            evaluated_by: data.evaluatedBy,
            evaluated_at: data.evaluatedAt,
            stream_revision: revision.toString(),
            performed_by: byAttest ? 'attest' : 'pipeline',
            service: byAttest ? data.service : null,
          };
        },
      );
      await manager.query(
        `INSERT INTO model_evaluations (evaluation_id, model, version, dataset_version, metrics,
           baseline, fairness, verdict, evaluated_by, evaluated_at, stream_revision, performed_by,
           service)
         SELECT evaluation_id, model, version, dataset_version, metrics, baseline, fairness,
           verdict, evaluated_by, evaluated_at, stream_revision, performed_by, service
         FROM jsonb_to_recordset($1::jsonb) AS r(evaluation_id text, model text, version text,
           dataset_version jsonb, metrics jsonb, baseline jsonb, fairness jsonb, verdict text,
           evaluated_by text, evaluated_at timestamptz, stream_revision bigint,
           performed_by text, service jsonb)
         ON CONFLICT (evaluation_id) DO NOTHING`,
        [recordset(rows)],
      );
    },

    ModelVersionRetired: async (run, { manager }) => {
      const events = wellFormed(run, SHAPES.ModelVersionRetired, this.logger);
      await inWaves(
        manager,
        await unapplied(manager, events),
        `UPDATE model_versions v SET retired_reason = r.reason, retired_by = r.retired_by,
           retired_at = r.retired_at
         FROM jsonb_to_recordset($1::jsonb) AS r(model text, version text, reason text,
           retired_by text, retired_at timestamptz)
         WHERE v.model = r.model AND v.version = r.version`,
        ({ data }) => ({
          model: data.model,
          version: data.version,
          reason: data.reason,
          retired_by: data.retiredBy,
          retired_at: data.retiredAt,
        }),
      );
    },

    ModelArtifactStored: async (run, { manager }) => {
      const events = wellFormed(run, SHAPES.ModelArtifactStored, this.logger);
      await inWaves(
        manager,
        await unapplied(manager, events),
        `UPDATE model_versions v SET artifact = r.artifact
         FROM jsonb_to_recordset($1::jsonb) AS r(model text, version text, artifact jsonb)
         WHERE v.model = r.model AND v.version = r.version`,
        ({ data }) => ({ model: data.model, version: data.version, artifact: data }),
      );
    },

    ModelVersionApproved: async (run, { manager }) => {
      const events = wellFormed(run, SHAPES.ModelVersionApproved, this.logger);
      if (events.length === 0) return;
      const approvals = firstPerKey(events, (event) => event.data.approvalId).map(({ data }) => ({
        approval_id: data.approvalId,
        model: data.model,
        version: data.version,
        environment: data.environment,
        evidence_digest: data.evidenceDigest,
        approvers: data.approvers,
        approved_at: data.approvedAt,
      }));
      await manager.query(
        `INSERT INTO model_version_approvals (approval_id, model, version, environment,
           evidence_digest, approvers, approved_at)
         SELECT approval_id, model, version, environment, evidence_digest, approvers, approved_at
         FROM jsonb_to_recordset($1::jsonb) AS r(approval_id text, model text, version text,
           environment text, evidence_digest text, approvers jsonb, approved_at timestamptz)
         ON CONFLICT (approval_id) DO NOTHING`,
        [recordset(approvals)],
      );
      const approvedAt = new Map<string, string[]>();
      for (const { data } of events) {
        approvedAt.set(data.model, [...(approvedAt.get(data.model) ?? []), data.approvedAt]);
      }
      await manager.query(
        `UPDATE models m SET updated_at = GREATEST(m.updated_at, r.at)
         FROM jsonb_to_recordset($1::jsonb) AS r(name text, at timestamptz)
         WHERE m.name = r.name`,
        [recordset([...approvedAt].map(([name, ats]) => ({ name, at: latest(ats) })))],
      );
    },
  };
}

/**
 * The events of a run not yet applied to their model (each past the stream revision on the
 * model's row, or on the row the run's events before it moved it to), with the rows moved on to
 * them: the last revision, and `updated_at` to the latest occurredAt. Registrations (`creating`)
 * leave the rows to their own insert, and may create a model; any other event of a model without
 * a row is left out.
 */
async function unapplied<E extends VersionEvent>(
  manager: EntityManager,
  events: readonly E[],
  creating = false,
): Promise<E[]> {
  if (events.length === 0) return [];
  const names = [...new Set(events.map((event) => event.data.model))];
  const rows = (await manager.query(
    `SELECT name, last_revision::text AS revision FROM models WHERE name = ANY($1::text[])`,
    [names],
  )) as { name: string; revision: string }[];
  const last = new Map(rows.map((row) => [row.name, BigInt(row.revision)]));
  const moved = new Map<string, { revision: bigint; at: string[] }>();
  const claimed = events.filter((event) => {
    const model = event.data.model;
    const before = last.get(model);
    if (before === undefined ? !creating : event.revision <= before) return false;
    last.set(model, event.revision);
    const move = moved.get(model) ?? { revision: event.revision, at: [] };
    move.revision = event.revision;
    move.at.push(event.metadata.occurredAt);
    moved.set(model, move);
    return true;
  });
  if (!creating && moved.size > 0) {
    await manager.query(
      `UPDATE models m SET last_revision = r.revision, updated_at = GREATEST(m.updated_at, r.at)
       FROM jsonb_to_recordset($1::jsonb) AS r(name text, revision bigint, at timestamptz)
       WHERE m.name = r.name`,
      [
        recordset(
          [...moved].map(([name, move]) => ({
            name,
            revision: move.revision.toString(),
            at: latest(move.at),
          })),
        ),
      ],
    );
  }
  return claimed;
}

/** One statement per wave of the run (each version at most once per wave), in ledger order. */
async function inWaves<E extends VersionEvent>(
  manager: EntityManager,
  events: readonly E[],
  sql: string,
  row: (event: E) => object,
): Promise<void> {
  for (const wave of waves(events, versionKey)) {
    await manager.query(sql, [recordset(wave.map(row))]);
  }
}
