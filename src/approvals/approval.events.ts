import type { DomainEvent } from '../ledger/commands/decider';
import type { RiskTier } from '../model-registry/model.events';

/** The roles that can decide an approval stage (docs/design.md §7). */
export const STAGE_ROLES = ['risk-manager', 'compliance-officer'] as const;
export type StageRole = (typeof STAGE_ROLES)[number];

/** What a request under a tier takes from the policy. */
export type TierRules = {
  stages: StageRole[];
  requirePassingEvaluation: boolean;
  /** A grant of any stage needs a (non-blank) comment: the reason the audit pack shows. */
  requireGrantComment: boolean;
};

/** An environment's changes to its tier's rules: each setting it states replaces the tier's there. */
export type TierOverrides = Partial<TierRules>;

/**
 * A tier's rules, and optionally other rules per environment (README, "Governance workflow").
 * Absent from policies recorded before environments could differ: every environment alike.
 */
export type TierPolicy = TierRules & { environments?: Record<string, TierOverrides> };
export type ApprovalPolicy = Record<RiskTier, TierPolicy>;

/**
 * A tier as a PolicySet records it. `requireGrantComment` is absent from policies recorded before
 * grants could need a comment; folding such a policy requires one for the high tier only, as the
 * default does.
 */
export type RecordedTierPolicy = Omit<TierPolicy, 'requireGrantComment'> & {
  requireGrantComment?: boolean;
};

export type PolicySet = DomainEvent<
  'PolicySet',
  {
    policy: 'approval';
    tiers: Record<RiskTier, RecordedTierPolicy>;
    setBy: string;
    setAt: string;
  }
>;

/** What the approval rests on; its SHA-256 is the evidence digest. */
export type ApprovalEvidence = {
  artifactDigest: string;
  datasetContentHashes: string[];
  /** Integrity hashes of the ModelEvaluated events of this version, in ledger order. */
  evaluationEventHashes: string[];
  /**
   * The integrity hash of the service-run evaluation the request relies on (the policy requires
   * a passing one): the latest that passed for this environment under the evaluation policy in
   * force. Absent when the policy does not require one, so such evidence digests as before.
   */
  passingEvaluationEventHash?: string;
};

export type ApprovalRequested = DomainEvent<
  'ApprovalRequested',
  {
    approvalId: string;
    model: string;
    version: string;
    environment: string;
    riskTier: RiskTier;
    /** Stages in the order they must be granted, from the policy in force at request time. */
    stages: { stage: number; role: StageRole }[];
    requirePassingEvaluation: boolean;
    /**
     * The service-run evaluation the request relies on (its event hash is in the evidence), and
     * the evaluation policy version it passed under. Absent when the policy requires none.
     */
    passingEvaluation?: { evaluationId: string; policyVersion: number };
    /**
     * Each grant needs a comment, from the policy in force at request time. Absent from requests
     * recorded before grants could need one: then required when `riskTier` is high.
     */
    requireGrantComment?: boolean;
    evidence: ApprovalEvidence;
    evidenceDigest: string;
    /** Who may never grant (four eyes): the version's registrant and the training run's author. */
    registeredBy: string;
    trainedBy: string;
    requestedBy: string;
    requestedAt: string;
    comment: string | null;
  }
>;

export type ApprovalStageGranted = DomainEvent<
  'ApprovalStageGranted',
  {
    approvalId: string;
    stage: number;
    role: StageRole;
    grantedBy: string;
    grantedAt: string;
    comment: string | null;
  }
>;

export type ApprovalRejected = DomainEvent<
  'ApprovalRejected',
  {
    approvalId: string;
    stage: number;
    role: StageRole;
    rejectedBy: string;
    rejectedAt: string;
    comment: string;
  }
>;

export type ApprovalWithdrawn = DomainEvent<
  'ApprovalWithdrawn',
  { approvalId: string; withdrawnBy: string; withdrawnAt: string; reason: string | null }
>;

/** The last stage was granted: this version may go to this environment. */
export type ModelVersionApproved = DomainEvent<
  'ModelVersionApproved',
  {
    approvalId: string;
    model: string;
    version: string;
    environment: string;
    evidenceDigest: string;
    approvers: { stage: number; role: StageRole; sub: string; at: string }[];
    approvedAt: string;
    /**
     * True when no person decided: a low-risk tier whose policy has no stage, approved by a
     * passing service-run evaluation (`approvers` is then empty). Absent means false.
     */
    automatic?: boolean;
    /** With `automatic`: the passing service-run evaluation that approved it. */
    evaluationId?: string;
  }
>;

/** Everything stored in an `approval-<id>` stream. */
export type ApprovalEvent =
  | ApprovalRequested
  | ApprovalStageGranted
  | ApprovalRejected
  | ApprovalWithdrawn
  | ModelVersionApproved;

export const APPROVAL_EVENT_TYPES = [
  'ApprovalRequested',
  'ApprovalStageGranted',
  'ApprovalRejected',
  'ApprovalWithdrawn',
  'ModelVersionApproved',
] as const satisfies readonly ApprovalEvent['type'][];
