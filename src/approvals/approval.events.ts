import { z } from 'zod';
import { type EventOf, defineEvent } from '../ledger/events/define-event';
import { RISK_TIERS, type RiskTier } from '../model-registry/model.events';

/** The roles that can decide an approval stage (docs/design.md §7). */
export const STAGE_ROLES = ['risk-manager', 'compliance-officer'] as const;
export type StageRole = (typeof STAGE_ROLES)[number];

const stageRole = z.enum(STAGE_ROLES);

/** What a request under a tier takes from the policy. */
export const tierRulesSchema = z.object({
  stages: z.array(stageRole),
  requirePassingEvaluation: z.boolean(),
  /** A grant of any stage needs a (non-blank) comment: the reason the audit pack shows. */
  requireGrantComment: z.boolean(),
});
export type TierRules = z.infer<typeof tierRulesSchema>;

/** An environment's changes to its tier's rules: each setting it states replaces the tier's there. */
export const tierOverridesSchema = tierRulesSchema.partial();
export type TierOverrides = z.infer<typeof tierOverridesSchema>;

/**
 * A tier's rules, and optionally other rules per environment (README, "Governance workflow").
 * Absent from policies recorded before environments could differ: every environment alike.
 */
export const tierPolicySchema = tierRulesSchema.extend({
  environments: z.record(z.string(), tierOverridesSchema).optional(),
});
export type TierPolicy = z.infer<typeof tierPolicySchema>;
export type ApprovalPolicy = Record<RiskTier, TierPolicy>;

/**
 * A tier as a PolicySet records it. `requireGrantComment` is absent from policies recorded before
 * grants could need a comment; folding such a policy requires one for the high tier only, as the
 * default does.
 */
export const recordedTierPolicySchema = tierPolicySchema.extend({
  requireGrantComment: z.boolean().optional(),
});
export type RecordedTierPolicy = z.infer<typeof recordedTierPolicySchema>;

export const PolicySetEvent = defineEvent({
  type: 'PolicySet',
  schema: z.object({
    policy: z.literal('approval'),
    tiers: z.record(z.enum(RISK_TIERS), recordedTierPolicySchema),
    setBy: z.string(),
    setAt: z.string(),
  }),
});
export type PolicySet = EventOf<typeof PolicySetEvent>;

/** What the approval rests on; its SHA-256 is the evidence digest. */
export const approvalEvidenceSchema = z.object({
  artifactDigest: z.string(),
  datasetContentHashes: z.array(z.string()),
  /** Integrity hashes of the ModelEvaluated events of this version, in ledger order. */
  evaluationEventHashes: z.array(z.string()),
  /**
   * The integrity hash of the service-run evaluation the request relies on (the policy requires
   * a passing one): the latest that passed for this environment under the evaluation policy in
   * force. Absent when the policy does not require one, so such evidence digests as before.
   */
  passingEvaluationEventHash: z.string().optional(),
});
export type ApprovalEvidence = z.infer<typeof approvalEvidenceSchema>;

export const ApprovalRequestedEvent = defineEvent({
  type: 'ApprovalRequested',
  schema: z.object({
    approvalId: z.string(),
    model: z.string(),
    version: z.string(),
    environment: z.string(),
    riskTier: z.enum(RISK_TIERS),
    /** Stages in the order they must be granted, from the policy in force at request time. */
    stages: z.array(z.object({ stage: z.number(), role: stageRole })),
    requirePassingEvaluation: z.boolean(),
    /**
     * The service-run evaluation the request relies on (its event hash is in the evidence), and
     * the evaluation policy version it passed under. Absent when the policy requires none.
     */
    passingEvaluation: z.object({ evaluationId: z.string(), policyVersion: z.number() }).optional(),
    /**
     * Each grant needs a comment, from the policy in force at request time. Absent from requests
     * recorded before grants could need one: then required when `riskTier` is high.
     */
    requireGrantComment: z.boolean().optional(),
    evidence: approvalEvidenceSchema,
    evidenceDigest: z.string(),
    /** Who may never grant (four eyes): the version's registrant and the training run's author. */
    registeredBy: z.string(),
    trainedBy: z.string(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    comment: z.string().nullable(),
  }),
});
export type ApprovalRequested = EventOf<typeof ApprovalRequestedEvent>;

export const ApprovalStageGrantedEvent = defineEvent({
  type: 'ApprovalStageGranted',
  schema: z.object({
    approvalId: z.string(),
    stage: z.number(),
    role: stageRole,
    grantedBy: z.string(),
    grantedAt: z.string(),
    comment: z.string().nullable(),
  }),
});
export type ApprovalStageGranted = EventOf<typeof ApprovalStageGrantedEvent>;

export const ApprovalRejectedEvent = defineEvent({
  type: 'ApprovalRejected',
  schema: z.object({
    approvalId: z.string(),
    stage: z.number(),
    role: stageRole,
    rejectedBy: z.string(),
    rejectedAt: z.string(),
    comment: z.string(),
  }),
});
export type ApprovalRejected = EventOf<typeof ApprovalRejectedEvent>;

export const ApprovalWithdrawnEvent = defineEvent({
  type: 'ApprovalWithdrawn',
  schema: z.object({
    approvalId: z.string(),
    withdrawnBy: z.string(),
    withdrawnAt: z.string(),
    reason: z.string().nullable(),
  }),
});
export type ApprovalWithdrawn = EventOf<typeof ApprovalWithdrawnEvent>;

/** The last stage was granted: this version may go to this environment. */
export const ModelVersionApprovedEvent = defineEvent({
  type: 'ModelVersionApproved',
  schema: z.object({
    approvalId: z.string(),
    model: z.string(),
    version: z.string(),
    environment: z.string(),
    evidenceDigest: z.string(),
    approvers: z.array(
      z.object({ stage: z.number(), role: stageRole, sub: z.string(), at: z.string() }),
    ),
    approvedAt: z.string(),
    /**
     * True when no person decided: a low-risk tier whose policy has no stage, approved by a
     * passing service-run evaluation (`approvers` is then empty). Absent means false.
     */
    automatic: z.boolean().optional(),
    /** With `automatic`: the passing service-run evaluation that approved it. */
    evaluationId: z.string().optional(),
  }),
});
export type ModelVersionApproved = EventOf<typeof ModelVersionApprovedEvent>;

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
