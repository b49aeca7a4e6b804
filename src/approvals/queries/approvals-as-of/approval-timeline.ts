import { unhandled } from '../../../ledger/commands/decider';
import type { RiskTier } from '../../../model-registry/model.events';
import type {
  ApprovalEvent,
  ApprovalEvidence,
  ApprovalRequested,
  StageRole,
} from '../../approval.events';
import type { ApprovalStageView, ApprovalStatus } from '../approvals/approval.read-model';

/** One approval request as a single event left it: the fields of its `approvals` row. */
export type ApprovalSnapshot = {
  model: string;
  version: string;
  environment: string;
  riskTier: RiskTier;
  status: ApprovalStatus;
  stages: ApprovalStageView[];
  currentStage: number | null;
  currentRole: StageRole | null;
  requestedBy: string;
  registeredBy: string;
  trainedBy: string;
  grantedBy: string[];
  evidence: ApprovalEvidence;
  evidenceDigest: string;
  requirePassingEvaluation: boolean;
  comment: string | null;
  requestedAt: string;
  decidedAt: string | null;
  closedBy: string | null;
  withdrawalReason: string | null;
  passingEvaluationId: string | null;
  automatic: boolean;
};

/**
 * The request after `event`, given it before (null before it was requested). Mirrors the
 * `approvals` projection, guards included, so the newest snapshot always equals the current row.
 * Null: nothing to record (a decision on a request never made).
 */
export function nextSnapshot(
  previous: ApprovalSnapshot | null,
  event: ApprovalEvent,
): ApprovalSnapshot | null {
  if (event.type === 'ApprovalRequested') return previous ?? requested(event.data);
  if (previous === null) return null;
  if (previous.status !== 'pending') return previous;
  switch (event.type) {
    case 'ApprovalStageGranted': {
      const { stage, grantedBy, grantedAt, comment } = event.data;
      if (previous.stages[stage]?.status !== 'pending') return previous;
      const next = previous.stages[stage + 1];
      return {
        ...previous,
        stages: decided(previous.stages, stage, 'granted', grantedBy, grantedAt, comment),
        currentStage: next ? stage + 1 : null,
        currentRole: next?.role ?? null,
        grantedBy: [...previous.grantedBy, grantedBy],
      };
    }
    case 'ApprovalRejected': {
      const { stage, rejectedBy, rejectedAt, comment } = event.data;
      return {
        ...previous,
        stages: decided(previous.stages, stage, 'rejected', rejectedBy, rejectedAt, comment),
        status: 'rejected',
        currentStage: null,
        currentRole: null,
        decidedAt: rejectedAt,
        closedBy: rejectedBy,
      };
    }
    case 'ApprovalWithdrawn':
      return {
        ...previous,
        status: 'withdrawn',
        currentStage: null,
        currentRole: null,
        decidedAt: event.data.withdrawnAt,
        closedBy: event.data.withdrawnBy,
        withdrawalReason: event.data.reason,
      };
    case 'ModelVersionApproved':
      return {
        ...previous,
        status: 'approved',
        currentStage: null,
        currentRole: null,
        decidedAt: event.data.approvedAt,
        automatic: event.data.automatic === true,
      };
    default:
      return unhandled(event);
  }
}

function requested(data: ApprovalRequested['data']): ApprovalSnapshot {
  const stages: ApprovalStageView[] = data.stages.map(({ stage, role }) => ({
    stage,
    role,
    status: 'pending',
    by: null,
    at: null,
    comment: null,
  }));
  return {
    model: data.model,
    version: data.version,
    environment: data.environment,
    riskTier: data.riskTier,
    status: 'pending',
    stages,
    currentStage: 0,
    currentRole: stages[0]?.role ?? null,
    requestedBy: data.requestedBy,
    registeredBy: data.registeredBy,
    trainedBy: data.trainedBy,
    grantedBy: [],
    evidence: data.evidence,
    evidenceDigest: data.evidenceDigest,
    requirePassingEvaluation: data.requirePassingEvaluation,
    comment: data.comment,
    requestedAt: data.requestedAt,
    decidedAt: null,
    closedBy: null,
    withdrawalReason: null,
    passingEvaluationId: data.passingEvaluation?.evaluationId ?? null,
    automatic: false,
  };
}

function decided(
  stages: ApprovalStageView[],
  stage: number,
  status: 'granted' | 'rejected',
  by: string,
  at: string,
  comment: string | null,
): ApprovalStageView[] {
  return stages.map((entry, index) =>
    index === stage ? { ...entry, status, by, at, comment } : entry,
  );
}
