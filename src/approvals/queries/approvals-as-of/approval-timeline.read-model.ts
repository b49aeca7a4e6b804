import type { ApprovalRecord } from '../approvals/approval.read-model';
import type { ApprovalSnapshot } from './approval-timeline';

/** An `approval_timeline` row as raw SQL reads it (columns aliased to these names). */
export type SnapshotRow = Omit<ApprovalSnapshot, 'requestedAt' | 'decidedAt'> & {
  approvalId: string;
  revision: string;
  requestedAt: Date;
  decidedAt: Date | null;
};

export const SNAPSHOT_COLUMNS = `approval_id AS "approvalId", revision, model, version, environment,
  risk_tier AS "riskTier", status, stages, current_stage AS "currentStage",
  "current_role" AS "currentRole", requested_by AS "requestedBy", registered_by AS "registeredBy",
  trained_by AS "trainedBy", granted_by AS "grantedBy", evidence, evidence_digest AS "evidenceDigest",
  require_passing_evaluation AS "requirePassingEvaluation", comment, requested_at AS "requestedAt",
  decided_at AS "decidedAt", closed_by AS "closedBy", withdrawal_reason AS "withdrawalReason",
  passing_evaluation_id AS "passingEvaluationId", automatic`;

export function snapshotOf(row: SnapshotRow): ApprovalSnapshot {
  const { id: _id, requestedAt, decidedAt, ...fields } = approvalRecordOf(row);
  return {
    ...fields,
    requestedAt: requestedAt.toISOString(),
    decidedAt: decidedAt ? decidedAt.toISOString() : null,
  };
}

/** The fields, and types, of an `approvals` row. */
export function approvalRecordOf(row: SnapshotRow): ApprovalRecord {
  return {
    id: row.approvalId,
    model: row.model,
    version: row.version,
    environment: row.environment,
    riskTier: row.riskTier,
    status: row.status,
    stages: row.stages,
    currentStage: row.currentStage,
    currentRole: row.currentRole,
    requestedBy: row.requestedBy,
    registeredBy: row.registeredBy,
    trainedBy: row.trainedBy,
    grantedBy: row.grantedBy,
    evidence: row.evidence,
    evidenceDigest: row.evidenceDigest,
    requirePassingEvaluation: row.requirePassingEvaluation,
    comment: row.comment,
    requestedAt: row.requestedAt,
    decidedAt: row.decidedAt,
    closedBy: row.closedBy,
    withdrawalReason: row.withdrawalReason,
    passingEvaluationId: row.passingEvaluationId,
    automatic: row.automatic,
  };
}
