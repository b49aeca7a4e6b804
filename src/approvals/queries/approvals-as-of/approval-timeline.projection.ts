import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UUID } from '../../../ledger/commands/identifiers';
import { recordset } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
  type Recorded,
} from '../../../ledger/projections/projection';
import type { ApprovalEvent } from '../../approval.events';
import { type ApprovalSnapshot, nextSnapshot } from './approval-timeline';
import { SNAPSHOT_COLUMNS, type SnapshotRow, snapshotOf } from './approval-timeline.read-model';

/** Any recorded approval event, its data typed by its type. */
type RecordedApprovalEvent = {
  [K in ApprovalEvent['type']]: Recorded<Extract<ApprovalEvent, { type: K }>>;
}[ApprovalEvent['type']];

/** A request's rows so far, in revision order. */
type Timeline = { revision: bigint; snapshot: ApprovalSnapshot }[];

/**
 * `approval_timeline`: each approval request as every event of its stream left it, dated by the
 * event's occurredAt. A row is keyed by stream revision and folded from the row before it in this
 * same table, so a replayed event changes nothing and a rebuild needs no other projection. A run
 * reads the rows of its requests once, folds its events in memory and inserts them in one
 * statement.
 */
@Injectable()
@ReadModelProjection()
export class ApprovalTimelineProjection extends DeclaredProjection<ApprovalEvent> {
  readonly name = 'approval-timeline';
  readonly tables = ['approval_timeline'];

  protected readonly handlers: Handlers<ApprovalEvent> = {
    ApprovalRequested: (events, { manager }) => fold(manager, events),
    ApprovalStageGranted: (events, { manager }) => fold(manager, events),
    ApprovalRejected: (events, { manager }) => fold(manager, events),
    ApprovalWithdrawn: (events, { manager }) => fold(manager, events),
    ModelVersionApproved: (events, { manager }) => fold(manager, events),
  };
}

async function fold(manager: EntityManager, run: readonly RecordedApprovalEvent[]): Promise<void> {
  // A request id that is not a UUID cannot be a row; such an event (made by hand) is skipped.
  const events = run.filter((event) => UUID.test(event.data.approvalId));
  if (events.length === 0) return;
  const ids = [...new Set(events.map((event) => event.data.approvalId))];
  const existing = (await manager.query(
    `SELECT ${SNAPSHOT_COLUMNS} FROM approval_timeline
     WHERE approval_id = ANY($1::uuid[]) ORDER BY approval_id, revision`,
    [ids],
  )) as SnapshotRow[];
  const timelines = new Map<string, Timeline>();
  for (const row of existing) {
    const timeline = timelines.get(row.approvalId) ?? [];
    timeline.push({ revision: BigInt(row.revision), snapshot: snapshotOf(row) });
    timelines.set(row.approvalId, timeline);
  }
  const rows: object[] = [];
  for (const event of events) {
    const approvalId = event.data.approvalId;
    const timeline = timelines.get(approvalId) ?? [];
    timelines.set(approvalId, timeline);
    // (approval_id, revision) is the key: a row already there is this very event, replayed.
    if (timeline.some((entry) => entry.revision === event.revision)) continue;
    let at = timeline.length - 1;
    while (at >= 0 && timeline[at].revision > event.revision) at--;
    const snapshot = nextSnapshot(at < 0 ? null : timeline[at].snapshot, event);
    if (!snapshot) continue;
    timeline.splice(at + 1, 0, { revision: event.revision, snapshot });
    rows.push(rowOf(event, approvalId, snapshot));
  }
  if (rows.length === 0) return;
  await manager.query(
    `INSERT INTO approval_timeline (approval_id, revision, event_type, at, event_id, model, version,
       environment, risk_tier, status, stages, current_stage, "current_role", requested_by,
       registered_by, trained_by, granted_by, evidence, evidence_digest, require_passing_evaluation,
       comment, requested_at, decided_at, closed_by, withdrawal_reason, passing_evaluation_id,
       automatic)
     SELECT approval_id, revision, event_type, at, event_id, model, version, environment,
       risk_tier, status, stages, current_stage, stage_role, requested_by, registered_by,
       trained_by, granted_by, evidence, evidence_digest, require_passing_evaluation, comment,
       requested_at, decided_at, closed_by, withdrawal_reason, passing_evaluation_id, automatic
     FROM jsonb_to_recordset($1::jsonb) AS r(approval_id uuid, revision bigint, event_type text,
       at timestamptz, event_id uuid, model text, version text, environment text, risk_tier text,
       status text, stages jsonb, current_stage int, stage_role text, requested_by text,
       registered_by text, trained_by text, granted_by text[], evidence jsonb,
       evidence_digest text, require_passing_evaluation boolean, comment text,
       requested_at timestamptz, decided_at timestamptz, closed_by text, withdrawal_reason text,
       passing_evaluation_id text, automatic boolean)
     ON CONFLICT (approval_id, revision) DO NOTHING`,
    [recordset(rows)],
  );
}

function rowOf(event: RecordedApprovalEvent, approvalId: string, s: ApprovalSnapshot): object {
  return {
    approval_id: approvalId,
    revision: event.revision.toString(),
    event_type: event.type,
    at: event.metadata.occurredAt,
    event_id: event.id,
    model: s.model,
    version: s.version,
    environment: s.environment,
    risk_tier: s.riskTier,
    status: s.status,
    stages: s.stages,
    current_stage: s.currentStage,
    stage_role: s.currentRole,
    requested_by: s.requestedBy,
    registered_by: s.registeredBy,
    trained_by: s.trainedBy,
    granted_by: s.grantedBy,
    evidence: s.evidence,
    evidence_digest: s.evidenceDigest,
    require_passing_evaluation: s.requirePassingEvaluation,
    comment: s.comment,
    requested_at: s.requestedAt,
    decided_at: s.decidedAt,
    closed_by: s.closedBy,
    withdrawal_reason: s.withdrawalReason,
    passing_evaluation_id: s.passingEvaluationId,
    automatic: s.automatic,
  };
}
