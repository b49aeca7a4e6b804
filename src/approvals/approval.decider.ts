import { type Decider, unhandled } from '../ledger/commands/decider';
import {
  ActorNotPermitted,
  NotRecorded,
  RuleViolated,
  StateConflict,
} from '../ledger/commands/rule-errors';
import { InvalidRequest } from '../ledger/ledger.errors';
import { approvalEvidence, evidenceDigest } from './approval-evidence';
import { defaultRequireGrantComment, tierPolicyFor } from './approval-policy.decider';
import type {
  ApprovalEvent,
  ApprovalPolicy,
  ApprovalRequested,
  ModelVersionApproved,
} from './approval.events';
import type { EvaluationFact, ModelVersionFacts } from './model-version-facts';
import { decisionBars } from './who-may-decide';

export type RequestApproval = {
  type: 'RequestApproval';
  data: {
    approvalId: string;
    model: string;
    version: string;
    environment: string;
    comment: string | null;
  };
  /** The version as its model stream records it now; null when it was never registered. */
  modelVersion: ModelVersionFacts | null;
  /** The approval policy in force now. */
  policy: ApprovalPolicy;
  /** The version of the evaluation policy in force now (0 while only the default exists). */
  evaluationPolicyVersion: number;
  /**
   * Set when a passing service-run evaluation asks for approval by itself (ApproveAutomatically):
   * only a tier with no stage is then approved, and the request names that evaluation.
   */
  automaticFor?: { evaluationId: string };
  actor: string;
  now: string;
};

export type DecideApprovalStage = {
  type: 'DecideApprovalStage';
  data: {
    approvalId: string;
    decision: 'grant' | 'reject';
    /** Null: the stage now pending. */
    stage: number | null;
    comment: string | null;
  };
  /** The version as its model stream records it at decision time, to recompute the evidence. */
  modelVersion: ModelVersionFacts | null;
  actor: { sub: string; roles: readonly string[] };
  now: string;
};

export type WithdrawApproval = {
  type: 'WithdrawApproval';
  data: { approvalId: string; reason: string | null };
  actor: string;
  now: string;
};

export type ApprovalCommand = RequestApproval | DecideApprovalStage | WithdrawApproval;

type Grant = ModelVersionApproved['data']['approvers'][number];

type RequestFacts = Pick<
  ApprovalRequested['data'],
  | 'approvalId'
  | 'model'
  | 'version'
  | 'environment'
  | 'stages'
  | 'evidenceDigest'
  | 'registeredBy'
  | 'trainedBy'
  | 'requestedBy'
  | 'riskTier'
> & {
  grants: Grant[];
  requireGrantComment: boolean;
  /** The evaluation the request relied on, part of its evidence; null when none. */
  passingEvaluationEventHash: string | null;
};

/** One approval request: the `approval-<id>` stream folded. */
export type ApprovalState =
  | { status: 'none' }
  | (RequestFacts & { status: 'pending' | 'approved' | 'rejected' | 'withdrawn' });

export const approvalDecider: Decider<ApprovalCommand, ApprovalEvent, ApprovalState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    if (event.type === 'ApprovalRequested') {
      const { approvalId, model, version, environment, stages, evidenceDigest } = event.data;
      const { registeredBy, trainedBy, requestedBy, riskTier } = event.data;
      return {
        status: 'pending',
        approvalId,
        model,
        version,
        environment,
        stages,
        evidenceDigest,
        registeredBy,
        trainedBy,
        requestedBy,
        riskTier,
        grants: [],
        // A request recorded before the setting existed: as the default policy (high only).
        requireGrantComment: event.data.requireGrantComment ?? defaultRequireGrantComment(riskTier),
        passingEvaluationEventHash: event.data.evidence.passingEvaluationEventHash ?? null,
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'ApprovalStageGranted': {
        const { stage, role, grantedBy, grantedAt } = event.data;
        return {
          ...state,
          grants: [...state.grants, { stage, role, sub: grantedBy, at: grantedAt }],
        };
      }
      case 'ApprovalRejected':
        return { ...state, status: 'rejected' };
      case 'ApprovalWithdrawn':
        return { ...state, status: 'withdrawn' };
      case 'ModelVersionApproved':
        return { ...state, status: 'approved' };
      default:
        return unhandled(event);
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RequestApproval':
        return request(command, state);
      case 'DecideApprovalStage':
        return decideStage(command, state);
      case 'WithdrawApproval':
        return withdraw(command, state);
      default:
        return unhandled(command);
    }
  },
};

function request(command: RequestApproval, state: ApprovalState): ApprovalEvent[] {
  const { approvalId, model, version, environment, comment } = command.data;
  // The same approval id again is a retry of this very request.
  if (state.status !== 'none') return [];
  const facts = command.modelVersion;
  if (!facts) throw new NotRecorded('model version', `${model}@${version}`);
  if (facts.retired) {
    throw new StateConflict('model-version-retired', `${model}@${version} is retired`, {
      model,
      version,
    });
  }
  const tier = tierPolicyFor(command.policy, facts.riskTier, environment);
  const automatic = tier.stages.length === 0;
  if (command.automaticFor && !automatic) {
    throw new StateConflict(
      'automatic-approval-not-applicable',
      `the approval policy has stages for ${facts.riskTier}-risk versions in ${environment}: a person decides`,
      { model, version, environment, riskTier: facts.riskTier },
    );
  }
  const passing = tier.requirePassingEvaluation
    ? qualifyingEvaluation(facts, command.data, command.evaluationPolicyVersion)
    : null;
  if (automatic && (facts.riskTier !== 'low' || !passing)) {
    // The approval policy never allows this (README, "Governance workflow"): a person must decide.
    throw new RuleViolated(
      'automatic-approval-not-allowed',
      `only a low-risk version with a passing service-run evaluation is approved without a person; ${model}@${version} is ${facts.riskTier} risk`,
      { model, version, riskTier: facts.riskTier },
    );
  }
  const evidence = evidenceOf(facts, passing?.eventHash ?? null);
  const digest = evidenceDigest(evidence);
  const requested: ApprovalRequested = {
    type: 'ApprovalRequested',
    data: {
      approvalId,
      model,
      version,
      environment,
      riskTier: facts.riskTier,
      stages: tier.stages.map((role, stage) => ({ stage, role })),
      requirePassingEvaluation: tier.requirePassingEvaluation,
      ...(passing
        ? {
            passingEvaluation: {
              evaluationId: passing.evaluationId,
              policyVersion: command.evaluationPolicyVersion,
            },
          }
        : {}),
      requireGrantComment: tier.requireGrantComment,
      evidence,
      evidenceDigest: digest,
      registeredBy: facts.registeredBy,
      trainedBy: facts.trainedBy,
      requestedBy: command.actor,
      requestedAt: command.now,
      comment,
    },
  };
  if (!automatic || !passing) return [requested];
  // No human stage (low risk only): the passing service-run evaluation approves it, in the same append.
  return [
    requested,
    {
      type: 'ModelVersionApproved',
      data: {
        approvalId,
        model,
        version,
        environment,
        evidenceDigest: digest,
        approvers: [],
        approvedAt: command.now,
        automatic: true,
        evaluationId: passing.evaluationId,
      },
    },
  ];
}

/**
 * What `requirePassingEvaluation` means (README, "Governance workflow"): a service-run evaluation
 * (`performedBy: attest`) for this environment that passed under the evaluation policy in force;
 * the latest such one. A pipeline-posted pass does not count. Otherwise a 422 that says what is
 * missing.
 */
function qualifyingEvaluation(
  facts: ModelVersionFacts,
  request: { model: string; version: string; environment: string },
  policyVersion: number,
): EvaluationFact {
  const { model, version, environment } = request;
  const serviceRun = facts.evaluations.filter((e) => e.performedBy === 'attest');
  const here = serviceRun.filter((e) => e.environment === environment);
  const current = here.filter((e) => e.policyVersion === policyVersion);
  const passing = current.filter((e) => e.passed).at(-1);
  if (passing) return passing;
  const needed = `the approval policy requires a passing service-run evaluation of ${facts.riskTier}-risk versions for ${environment}`;
  const refuse = (reason: string, detail: string, extra: Record<string, unknown> = {}): never => {
    throw new RuleViolated('passing-evaluation-required', `${needed}: ${detail}`, {
      model,
      version,
      environment,
      riskTier: facts.riskTier,
      reason,
      evaluationPolicyVersion: policyVersion,
      evaluations: facts.evaluations.length,
      serviceEvaluations: serviceRun.length,
      ...extra,
    });
  };
  const latest = current.at(-1);
  if (latest) {
    return refuse(
      'evaluation-failed',
      `the latest service-run evaluation of ${model}@${version} for ${environment} (${latest.evaluationId}) failed under evaluation policy version ${policyVersion}`,
      { evaluationId: latest.evaluationId },
    );
  }
  const older = here.at(-1);
  if (older) {
    return refuse(
      'outdated-policy-version',
      `the latest service-run evaluation of ${model}@${version} for ${environment} (${older.evaluationId}) ran under evaluation policy version ${older.policyVersion}, and the policy is now at version ${policyVersion}; re-run it`,
      { evaluationId: older.evaluationId, evaluatedUnderPolicyVersion: older.policyVersion },
    );
  }
  if (serviceRun.length > 0) {
    const elsewhere = [...new Set(serviceRun.map((e) => e.environment))].join(', ');
    return refuse(
      'other-environment',
      `${model}@${version} has service-run evaluations only for ${elsewhere}, none for ${environment}`,
      { evaluatedEnvironments: elsewhere.split(', ') },
    );
  }
  const posted = facts.evaluations.length;
  return refuse(
    'no-service-evaluation',
    `${model}@${version} has no service-run evaluation${posted > 0 ? ` (the ${posted} evaluation${posted === 1 ? '' : 's'} the pipeline posted do${posted === 1 ? 'es' : ''} not count)` : ''}; run one with POST /models/${model}/versions/${version}/evaluation-runs`,
  );
}

function decideStage(command: DecideApprovalStage, state: ApprovalState): ApprovalEvent[] {
  const { approvalId, decision, comment } = command.data;
  const open = openRequest(state, approvalId);
  if (decision === 'reject' && !comment?.trim()) {
    throw new InvalidRequest('a rejection needs a comment', {
      comment: ['is required to reject'],
    });
  }
  const pending = open.grants.length;
  const stage = command.data.stage ?? pending;
  if (!Number.isInteger(stage) || stage < 0 || stage >= open.stages.length) {
    throw new RuleViolated('unknown-stage', `approval ${approvalId} has no stage ${stage}`, {
      stages: open.stages.length,
      errors: { stage: [`must be between 0 and ${open.stages.length - 1}`] },
    });
  }
  if (stage !== pending) {
    throw new StateConflict(
      'stage-not-pending',
      stage < pending
        ? `stage ${stage} of approval ${approvalId} is already decided`
        : `stage ${stage} of approval ${approvalId} waits for stage ${pending}`,
      { stage, pendingStage: pending },
    );
  }
  const { role } = open.stages[stage];
  const { sub } = command.actor;
  const grantedBy = open.grants.map((grant) => grant.sub);
  const bar = decisionBars({ ...open, role, grantedBy }, command.actor).at(0);
  if (bar?.rule === 'stage-role-required') {
    throw new ActorNotPermitted('stage-role-required', `stage ${stage} is decided by a ${role}`, {
      stage,
      role,
    });
  }
  if (bar?.rule === 'four-eyes') {
    throw new ActorNotPermitted(
      'four-eyes',
      `${sub} ${bar.reasons.join(' and ')}, so cannot decide on it`,
      { reasons: bar.reasons },
    );
  }
  if (bar?.rule === 'one-stage-per-person') {
    throw new ActorNotPermitted(
      'one-stage-per-person',
      `${sub} already granted a stage of approval ${approvalId}; another person must decide this one`,
      { stage, grantedStages: open.grants.filter((g) => g.sub === sub).map((g) => g.stage) },
    );
  }
  if (decision === 'grant' && open.requireGrantComment && !comment?.trim()) {
    throw new RuleViolated(
      'grant-comment-required',
      `the approval policy requires a comment to grant a stage of a ${open.riskTier}-risk version: state the reason for the grant`,
      {
        riskTier: open.riskTier,
        errors: {
          comment: [`is required by the approval policy to grant (${open.riskTier} risk)`],
        },
      },
    );
  }
  if (decision === 'reject') {
    return [
      {
        type: 'ApprovalRejected',
        data: {
          approvalId,
          stage,
          role,
          rejectedBy: sub,
          rejectedAt: command.now,
          comment: comment as string,
        },
      },
    ];
  }
  checkEvidence(open, command.modelVersion);
  const grant: Grant = { stage, role, sub, at: command.now };
  const events: ApprovalEvent[] = [
    {
      type: 'ApprovalStageGranted',
      data: { approvalId, stage, role, grantedBy: sub, grantedAt: command.now, comment },
    },
  ];
  if (stage === open.stages.length - 1) {
    events.push({
      type: 'ModelVersionApproved',
      data: {
        approvalId,
        model: open.model,
        version: open.version,
        environment: open.environment,
        evidenceDigest: open.evidenceDigest,
        approvers: [...open.grants, grant],
        approvedAt: command.now,
      },
    });
  }
  return events;
}

function withdraw(command: WithdrawApproval, state: ApprovalState): ApprovalEvent[] {
  const { approvalId, reason } = command.data;
  const open = openRequest(state, approvalId);
  if (open.requestedBy !== command.actor) {
    throw new ActorNotPermitted(
      'not-the-requester',
      `only ${open.requestedBy}, who requested approval ${approvalId}, may withdraw it`,
    );
  }
  return [
    {
      type: 'ApprovalWithdrawn',
      data: { approvalId, withdrawnBy: command.actor, withdrawnAt: command.now, reason },
    },
  ];
}

function openRequest(state: ApprovalState, approvalId: string): RequestFacts {
  if (state.status === 'none') throw new NotRecorded('approval', approvalId);
  if (state.status !== 'pending') {
    throw new StateConflict('approval-closed', `approval ${approvalId} is ${state.status}`, {
      approvalStatus: state.status,
    });
  }
  return state;
}

/** A grant rests on the evidence the request recorded: a changed artifact or new evaluation voids it. */
function checkEvidence(open: RequestFacts, now: ModelVersionFacts | null): void {
  const { model, version } = open;
  if (now?.retired) {
    throw new StateConflict('model-version-retired', `${model}@${version} is retired`, {
      model,
      version,
    });
  }
  const currentDigest = now
    ? evidenceDigest(evidenceOf(now, open.passingEvaluationEventHash))
    : null;
  if (currentDigest !== open.evidenceDigest) {
    throw new StateConflict(
      'evidence-changed',
      `the evidence of ${model}@${version} changed since approval was requested; withdraw and request again`,
      { requestedEvidenceDigest: open.evidenceDigest, currentEvidenceDigest: currentDigest },
    );
  }
}

function evidenceOf(facts: ModelVersionFacts, passingEvaluationEventHash: string | null) {
  return approvalEvidence({
    artifactDigest: facts.artifactDigest,
    datasetContentHashes: facts.datasetContentHashes,
    evaluationEventHashes: facts.evaluations.map((evaluation) => evaluation.eventHash),
    passingEvaluationEventHash,
  });
}
