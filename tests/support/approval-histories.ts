import { DEFAULT_APPROVAL_POLICY } from '../../src/approvals/approval-policy.decider';
import { type ApprovalCommand, approvalDecider } from '../../src/approvals/approval.decider';
import type { ApprovalEvent, ApprovalPolicy } from '../../src/approvals/approval.events';
import type { ModelVersionFacts } from '../../src/approvals/model-version-facts';
import type { RiskTier } from '../../src/model-registry/model.events';
import { streams } from '../../src/ledger/stream-names';
import { DecidedStream } from './decided-stream';

/** A registered version with a passing service-run evaluation for production. */
export const versionFacts = (riskTier: RiskTier = 'high'): ModelVersionFacts => ({
  riskTier,
  artifactDigest: `sha256:${'a1'.repeat(32)}`,
  datasetContentHashes: [`sha256:${'d1'.repeat(32)}`],
  registeredBy: 'reggie',
  trainedBy: 'tara',
  retired: false,
  evaluations: [
    {
      evaluationId: '01950000-0000-7000-8000-0000000000e1',
      verdict: 'pass',
      performedBy: 'attest',
      environment: 'production',
      policyVersion: 0,
      passed: true,
      eventHash: 'e1'.repeat(32),
    },
  ],
});

/** The default policy, except that a low-risk version is approved by its passing evaluation. */
export const AUTOMATIC_LOW_RISK: ApprovalPolicy = {
  ...DEFAULT_APPROVAL_POLICY,
  low: { stages: [], requirePassingEvaluation: true, requireGrantComment: false },
};

type Step = (approvalId: string) => ApprovalCommand;

/** The events of one approval stream (`approval-<id>`), decided command after command. */
export function approvalHistory(approvalId: string, steps: readonly Step[]) {
  const stream = new DecidedStream(approvalDecider, streams.approval(approvalId));
  return steps.flatMap((step) => stream.when(step(approvalId)));
}

export const request =
  (
    now: string,
    options: { model?: string; riskTier?: RiskTier; automatic?: boolean; comment?: string } = {},
  ): Step =>
  (approvalId) => ({
    type: 'RequestApproval',
    data: {
      approvalId,
      model: options.model ?? 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      comment: options.comment ?? null,
    },
    modelVersion: versionFacts(options.riskTier),
    policy: options.automatic ? AUTOMATIC_LOW_RISK : DEFAULT_APPROVAL_POLICY,
    evaluationPolicyVersion: 0,
    ...(options.automatic
      ? { automaticFor: { evaluationId: versionFacts().evaluations[0].evaluationId } }
      : {}),
    actor: 'dana',
    now,
  });

export const decide =
  (
    sub: string,
    roles: string[],
    decision: 'grant' | 'reject',
    now = '2026-03-02T00:00:00.000Z',
  ): Step =>
  (approvalId) => ({
    type: 'DecideApprovalStage',
    data: { approvalId, decision, stage: null, comment: decision === 'reject' ? 'no' : 'ok' },
    modelVersion: versionFacts(),
    actor: { sub, roles },
    now,
  });

export const withdraw =
  (now = '2026-03-03T00:00:00.000Z'): Step =>
  (approvalId) => ({
    type: 'WithdrawApproval',
    data: { approvalId, reason: 'later' },
    actor: 'dana',
    now,
  });

export type ApprovalGiven = ApprovalEvent & { stream: string };
