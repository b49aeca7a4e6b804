import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import {
  APPROVAL_EVENT_TYPES,
  type ApprovalEvent,
  type ApprovalRejected,
  type ApprovalRequested,
  type ApprovalStageGranted,
  type ApprovalWithdrawn,
  type ModelVersionApproved,
} from '../../approval.events';
import { unhandled } from '../../../ledger/commands/decider';
import type { ApprovalStageView } from './approval.read-model';

/**
 * The `approvals` table. Every update is guarded by the status it moves from, so an event
 * applied twice changes nothing.
 */
@Injectable()
@ReadModelProjection()
export class ApprovalsProjection implements Projection {
  readonly name = 'approvals';
  readonly eventTypes = APPROVAL_EVENT_TYPES;
  readonly tables = ['approvals'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as unknown as ApprovalEvent;
    switch (event.type) {
      case 'ApprovalRequested':
        return requested(event.data, manager);
      case 'ApprovalStageGranted':
        return granted(event.data, manager);
      case 'ApprovalRejected':
        return rejected(event.data, manager);
      case 'ApprovalWithdrawn':
        return withdrawn(event.data, manager);
      case 'ModelVersionApproved':
        return approved(event.data, manager);
      default:
        return unhandled(event);
    }
  }
}

async function requested(data: ApprovalRequested['data'], manager: EntityManager): Promise<void> {
  const stages: ApprovalStageView[] = data.stages.map(({ stage, role }) => ({
    stage,
    role,
    status: 'pending',
    by: null,
    at: null,
    comment: null,
  }));
  await manager.query(
    `INSERT INTO approvals (id, model, version, environment, risk_tier, status, stages, current_stage,
       "current_role", requested_by, registered_by, trained_by, granted_by, evidence, evidence_digest,
       require_passing_evaluation, comment, requested_at, passing_evaluation_id)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6::jsonb, 0, $7, $8, $9, $10, '{}', $11::jsonb, $12, $13, $14, $15, $16)
     ON CONFLICT (id) DO NOTHING`,
    [
      data.approvalId,
      data.model,
      data.version,
      data.environment,
      data.riskTier,
      JSON.stringify(stages),
      stages[0]?.role ?? null,
      data.requestedBy,
      data.registeredBy,
      data.trainedBy,
      JSON.stringify(data.evidence),
      data.evidenceDigest,
      data.requirePassingEvaluation,
      data.comment,
      data.requestedAt,
      data.passingEvaluation?.evaluationId ?? null,
    ],
  );
}

async function granted(data: ApprovalStageGranted['data'], manager: EntityManager): Promise<void> {
  const decision = {
    status: 'granted',
    by: data.grantedBy,
    at: data.grantedAt,
    comment: data.comment,
  };
  // Right-hand sides see the row as it was, so `stages` here is the list before this grant.
  await manager.query(
    `UPDATE approvals SET
       stages = jsonb_set(stages, ARRAY[$3::text], (stages -> $2::int) || $4::jsonb),
       current_stage = CASE WHEN $2::int + 1 < jsonb_array_length(stages) THEN $2::int + 1 END,
       "current_role" = stages -> ($2::int + 1) ->> 'role',
       granted_by = array_append(granted_by, $5::text)
     WHERE id = $1 AND status = 'pending' AND stages -> $2::int ->> 'status' = 'pending'`,
    [data.approvalId, data.stage, String(data.stage), JSON.stringify(decision), data.grantedBy],
  );
}

async function rejected(data: ApprovalRejected['data'], manager: EntityManager): Promise<void> {
  const decision = {
    status: 'rejected',
    by: data.rejectedBy,
    at: data.rejectedAt,
    comment: data.comment,
  };
  await manager.query(
    `UPDATE approvals SET
       stages = jsonb_set(stages, ARRAY[$3::text], (stages -> $2::int) || $4::jsonb),
       status = 'rejected', current_stage = NULL, "current_role" = NULL,
       decided_at = $5, closed_by = $6
     WHERE id = $1 AND status = 'pending'`,
    [
      data.approvalId,
      data.stage,
      String(data.stage),
      JSON.stringify(decision),
      data.rejectedAt,
      data.rejectedBy,
    ],
  );
}

async function withdrawn(data: ApprovalWithdrawn['data'], manager: EntityManager): Promise<void> {
  await manager.query(
    `UPDATE approvals SET status = 'withdrawn', current_stage = NULL, "current_role" = NULL,
       decided_at = $2, closed_by = $3, withdrawal_reason = $4
     WHERE id = $1 AND status = 'pending'`,
    [data.approvalId, data.withdrawnAt, data.withdrawnBy, data.reason],
  );
}

async function approved(data: ModelVersionApproved['data'], manager: EntityManager): Promise<void> {
  await manager.query(
    `UPDATE approvals SET status = 'approved', current_stage = NULL, "current_role" = NULL, decided_at = $2,
       automatic = $3
     WHERE id = $1 AND status = 'pending'`,
    [data.approvalId, data.approvedAt, data.automatic === true],
  );
}
