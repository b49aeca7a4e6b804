import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UUID } from '../../../ledger/commands/identifiers';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import { APPROVAL_EVENT_TYPES, type ApprovalEvent } from '../../approval.events';
import { type ApprovalSnapshot, nextSnapshot } from './approval-timeline';
import { SNAPSHOT_COLUMNS, type SnapshotRow, snapshotOf } from './approval-timeline.read-model';

/**
 * `approval_timeline`: each approval request as every event of its stream left it, dated by the
 * event's occurredAt. A row is keyed by stream revision and folded from the row before it in this
 * same table, so a replayed event changes nothing and a rebuild needs no other projection.
 */
@Injectable()
@ReadModelProjection()
export class ApprovalTimelineProjection implements Projection {
  readonly name = 'approval-timeline';
  readonly eventTypes = APPROVAL_EVENT_TYPES;
  readonly tables = ['approval_timeline'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as unknown as ApprovalEvent;
    const approvalId = event.data.approvalId;
    if (typeof approvalId !== 'string' || !UUID.test(approvalId)) return;
    const revision = recorded.revision.toString();
    const [before] = (await manager.query(
      `SELECT ${SNAPSHOT_COLUMNS} FROM approval_timeline
       WHERE approval_id = $1 AND revision < $2 ORDER BY revision DESC LIMIT 1`,
      [approvalId, revision],
    )) as SnapshotRow[];
    const snapshot = nextSnapshot(before ? snapshotOf(before) : null, event);
    if (snapshot) await insert(manager, recorded, approvalId, snapshot);
  }
}

async function insert(
  manager: EntityManager,
  recorded: RecordedEvent,
  approvalId: string,
  s: ApprovalSnapshot,
): Promise<void> {
  await manager.query(
    `INSERT INTO approval_timeline (approval_id, revision, event_type, at, event_id, model, version,
       environment, risk_tier, status, stages, current_stage, "current_role", requested_by,
       registered_by, trained_by, granted_by, evidence, evidence_digest, require_passing_evaluation,
       comment, requested_at, decided_at, closed_by, withdrawal_reason, passing_evaluation_id,
       automatic)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17::text[],
       $18::jsonb, $19, $20, $21, $22, $23, $24, $25, $26, $27)
     ON CONFLICT (approval_id, revision) DO NOTHING`,
    [
      approvalId,
      recorded.revision.toString(),
      recorded.type,
      recorded.metadata.occurredAt,
      recorded.id,
      s.model,
      s.version,
      s.environment,
      s.riskTier,
      s.status,
      JSON.stringify(s.stages),
      s.currentStage,
      s.currentRole,
      s.requestedBy,
      s.registeredBy,
      s.trainedBy,
      s.grantedBy,
      JSON.stringify(s.evidence),
      s.evidenceDigest,
      s.requirePassingEvaluation,
      s.comment,
      s.requestedAt,
      s.decidedAt,
      s.closedBy,
      s.withdrawalReason,
      s.passingEvaluationId,
      s.automatic,
    ],
  );
}
