import { given } from '../../tests/support/decider-spec';
import { approvalEvidence, evidenceDigest } from './approval-evidence';
import { DEFAULT_APPROVAL_POLICY } from './approval-policy.decider';
import {
  type DecideApprovalStage,
  type RequestApproval,
  type WithdrawApproval,
  approvalDecider,
} from './approval.decider';
import type {
  ApprovalEvent,
  ApprovalPolicy,
  ApprovalRequested,
  ApprovalStageGranted,
} from './approval.events';
import type { EvaluationFact, ModelVersionFacts } from './model-version-facts';

const REQUESTED_AT = '2026-03-01T00:00:00.000Z';
const LATER = '2026-03-02T00:00:00.000Z';
const ID = '01950000-0000-7000-8000-000000000001';
const ARTIFACT = `sha256:${'a1'.repeat(32)}`;
const DATASET = `sha256:${'d1'.repeat(32)}`;
const PASS_HASH = 'e1'.repeat(32);
const GRANT_COMMENT = 'back-test and fairness results within appetite';

// The people of a request: each four-eyes case uses one of them.
const REGISTRANT = 'reg';
const TRAINER = 'tom';
const REQUESTER = 'dana';
const RISK = { sub: 'rita', roles: ['risk-manager'] };
const COMPLIANCE = { sub: 'cora', roles: ['compliance-officer'] };

const EVALUATION_ID = '01950000-0000-7000-8000-0000000000e1';

/** A service-run evaluation for production that passed under evaluation policy version 0. */
const serviceRun = (overrides: Partial<EvaluationFact> = {}): EvaluationFact => ({
  evaluationId: EVALUATION_ID,
  verdict: 'pass',
  performedBy: 'attest',
  environment: 'production',
  policyVersion: 0,
  passed: true,
  eventHash: PASS_HASH,
  ...overrides,
});

/** An evaluation the pipeline posted. */
const posted = (verdict: 'pass' | 'fail', eventHash: string): EvaluationFact => ({
  evaluationId: `posted-${eventHash.slice(0, 4)}`,
  verdict,
  performedBy: 'pipeline',
  environment: null,
  policyVersion: null,
  passed: verdict === 'pass',
  eventHash,
});

const facts = (overrides: Partial<ModelVersionFacts> = {}): ModelVersionFacts => ({
  riskTier: 'high',
  artifactDigest: ARTIFACT,
  datasetContentHashes: [DATASET],
  registeredBy: REGISTRANT,
  trainedBy: TRAINER,
  retired: false,
  evaluations: [serviceRun()],
  ...overrides,
});

const requestApproval = (
  modelVersion: ModelVersionFacts | null = facts(),
  policy: ApprovalPolicy = DEFAULT_APPROVAL_POLICY,
): RequestApproval => ({
  type: 'RequestApproval',
  data: {
    approvalId: ID,
    model: 'credit-risk',
    version: '1.4.0',
    environment: 'production',
    comment: 'ready for review',
  },
  modelVersion,
  policy,
  evaluationPolicyVersion: 0,
  actor: REQUESTER,
  now: REQUESTED_AT,
});

const evidence = approvalEvidence({
  artifactDigest: ARTIFACT,
  datasetContentHashes: [DATASET],
  evaluationEventHashes: [PASS_HASH],
  passingEvaluationEventHash: PASS_HASH,
});

function requested(overrides: Partial<ApprovalRequested['data']> = {}): ApprovalRequested {
  return {
    type: 'ApprovalRequested',
    data: {
      approvalId: ID,
      model: 'credit-risk',
      version: '1.4.0',
      environment: 'production',
      riskTier: 'high',
      stages: [
        { stage: 0, role: 'risk-manager' },
        { stage: 1, role: 'compliance-officer' },
      ],
      requirePassingEvaluation: true,
      passingEvaluation: { evaluationId: EVALUATION_ID, policyVersion: 0 },
      requireGrantComment: true,
      evidence,
      evidenceDigest: evidenceDigest(evidence),
      registeredBy: REGISTRANT,
      trainedBy: TRAINER,
      requestedBy: REQUESTER,
      requestedAt: REQUESTED_AT,
      comment: 'ready for review',
      ...overrides,
    },
  };
}

const decide = (
  actor: { sub: string; roles: string[] },
  decision: 'grant' | 'reject' = 'grant',
  overrides: Partial<DecideApprovalStage['data']> & {
    modelVersion?: ModelVersionFacts | null;
  } = {},
): DecideApprovalStage => {
  const { modelVersion = facts(), ...data } = overrides;
  return {
    type: 'DecideApprovalStage',
    data: {
      approvalId: ID,
      decision,
      stage: null,
      comment: decision === 'reject' ? 'fairness gap on age-band' : GRANT_COMMENT,
      ...data,
    },
    modelVersion,
    actor,
    now: LATER,
  };
};

const granted = (
  stage: number,
  role: 'risk-manager' | 'compliance-officer',
  grantedBy: string,
): ApprovalStageGranted => ({
  type: 'ApprovalStageGranted',
  data: { approvalId: ID, stage, role, grantedBy, grantedAt: LATER, comment: GRANT_COMMENT },
});

const withdraw = (actor = REQUESTER): WithdrawApproval => ({
  type: 'WithdrawApproval',
  data: { approvalId: ID, reason: 'new evaluation coming' },
  actor,
  now: LATER,
});

const afterStage0: ApprovalEvent[] = [requested(), granted(0, 'risk-manager', RISK.sub)];

describe('approval decider', () => {
  describe('requesting approval', () => {
    it('records the stages from the policy for the tier and the evidence digest', () => {
      given(approvalDecider).when(requestApproval()).then([requested()]);
    });

    it('takes the stages from the policy in force, not the default', () => {
      const policy: ApprovalPolicy = {
        ...DEFAULT_APPROVAL_POLICY,
        low: {
          stages: ['compliance-officer', 'risk-manager'],
          requirePassingEvaluation: false,
          requireGrantComment: false,
        },
      };
      const [event] = given(approvalDecider)
        .when(requestApproval(facts({ riskTier: 'low', evaluations: [] }), policy))
        .events();
      expect(event.data).toMatchObject({
        riskTier: 'low',
        stages: [
          { stage: 0, role: 'compliance-officer' },
          { stage: 1, role: 'risk-manager' },
        ],
        requirePassingEvaluation: false,
      });
    });

    it('takes an environment’s overrides where the policy states them, the tier’s elsewhere', () => {
      const policy: ApprovalPolicy = {
        ...DEFAULT_APPROVAL_POLICY,
        high: {
          ...DEFAULT_APPROVAL_POLICY.high,
          environments: { staging: { stages: ['risk-manager'], requirePassingEvaluation: false } },
        },
      };
      const unevaluated = facts({ evaluations: [] });
      const staging = requestApproval(unevaluated, policy);
      const [event] = given(approvalDecider)
        .when({ ...staging, data: { ...staging.data, environment: 'staging' } })
        .events();
      expect(event.data).toMatchObject({
        environment: 'staging',
        stages: [{ stage: 0, role: 'risk-manager' }],
        requirePassingEvaluation: false,
        // Not overridden: the tier's.
        requireGrantComment: true,
      });
      // Production keeps the high tier's two stages and its passing evaluation.
      given(approvalDecider)
        .when(requestApproval(unevaluated, policy))
        .thenRefuses('passing-evaluation-required', 422);
    });

    it('refuses a version that was never registered', () => {
      given(approvalDecider).when(requestApproval(null)).thenRefuses('not-found', 404);
    });

    it('refuses a retired version', () => {
      given(approvalDecider)
        .when(requestApproval(facts({ retired: true })))
        .thenRefuses('model-version-retired', 409);
    });

    it('refuses when the policy demands a passing evaluation and there is none', () => {
      given(approvalDecider)
        .when(requestApproval(facts({ evaluations: [] })))
        .thenRefuses('passing-evaluation-required', 422);
      given(approvalDecider)
        .when(
          requestApproval(facts({ evaluations: [serviceRun({ verdict: 'fail', passed: false })] })),
        )
        .thenRefuses('passing-evaluation-required', 422);
    });

    describe('the passing evaluation it requires', () => {
      const refusal = (evaluations: EvaluationFact[], evaluationPolicyVersion = 0) => {
        try {
          approvalDecider.decide(
            { ...requestApproval(facts({ evaluations })), evaluationPolicyVersion },
            approvalDecider.initialState(),
          );
        } catch (error) {
          const { code, message, details } = error as {
            code: string;
            message: string;
            details: Record<string, unknown>;
          };
          return { code, message, reason: details.reason };
        }
        throw new Error('the request was not refused');
      };

      it('is not met by a pass the pipeline posted', () => {
        expect(refusal([posted('pass', PASS_HASH)])).toEqual({
          code: 'passing-evaluation-required',
          reason: 'no-service-evaluation',
          message:
            'the approval policy requires a passing service-run evaluation of high-risk versions for production: credit-risk@1.4.0 has no service-run evaluation (the 1 evaluation the pipeline posted does not count); run one with POST /models/credit-risk/versions/1.4.0/evaluation-runs',
        });
      });

      it('says when the service-run evaluation failed', () => {
        expect(refusal([serviceRun({ passed: false, verdict: 'fail' })])).toMatchObject({
          reason: 'evaluation-failed',
          message: expect.stringContaining(
            `(${EVALUATION_ID}) failed under evaluation policy version 0`,
          ),
        });
      });

      it('says when the only service-run evaluation is for another environment', () => {
        expect(refusal([serviceRun({ environment: 'staging' })])).toMatchObject({
          reason: 'other-environment',
          message: expect.stringContaining(
            'has service-run evaluations only for staging, none for production',
          ),
        });
      });

      it('says when it ran under an older evaluation policy version, and to re-run it', () => {
        expect(refusal([serviceRun({ policyVersion: 1 })], 2)).toMatchObject({
          reason: 'outdated-policy-version',
          message: expect.stringContaining(
            'ran under evaluation policy version 1, and the policy is now at version 2; re-run it',
          ),
        });
      });

      it('relies on the latest qualifying one, and only then puts its hash in the evidence', () => {
        const older = serviceRun({ evaluationId: 'older', eventHash: 'c1'.repeat(32) });
        const failed = serviceRun({
          evaluationId: 'failed',
          eventHash: 'c2'.repeat(32),
          passed: false,
        });
        const [event] = given(approvalDecider)
          .when(requestApproval(facts({ evaluations: [older, failed, serviceRun()] })))
          .events();
        expect(event.data).toMatchObject({
          passingEvaluation: { evaluationId: EVALUATION_ID, policyVersion: 0 },
          evidence: {
            evaluationEventHashes: ['c1'.repeat(32), 'c2'.repeat(32), PASS_HASH],
            passingEvaluationEventHash: PASS_HASH,
          },
        });
        // A later failure does not undo an earlier pass under the same policy version.
        const [again] = given(approvalDecider)
          .when(requestApproval(facts({ evaluations: [older, failed] })))
          .events();
        expect(again.data).toMatchObject({
          passingEvaluation: { evaluationId: 'older' },
          evidence: { passingEvaluationEventHash: 'c1'.repeat(32) },
        });
      });
    });

    describe('with no human stage (low risk)', () => {
      const automaticPolicy: ApprovalPolicy = {
        ...DEFAULT_APPROVAL_POLICY,
        low: { stages: [], requirePassingEvaluation: true, requireGrantComment: false },
      };
      const low = facts({ riskTier: 'low' });

      it('approves it by the passing service-run evaluation, in the same append', () => {
        const events = given(approvalDecider).when(requestApproval(low, automaticPolicy)).events();
        expect(events.map((e) => e.type)).toEqual(['ApprovalRequested', 'ModelVersionApproved']);
        const [request, approved] = events;
        expect(request.data).toMatchObject({ riskTier: 'low', stages: [] });
        expect(approved.data).toEqual({
          approvalId: ID,
          model: 'credit-risk',
          version: '1.4.0',
          environment: 'production',
          evidenceDigest: (request.data as ApprovalRequested['data']).evidenceDigest,
          approvers: [],
          approvedAt: REQUESTED_AT,
          automatic: true,
          evaluationId: EVALUATION_ID,
        });
      });

      it('refuses without a qualifying evaluation', () => {
        given(approvalDecider)
          .when(requestApproval(facts({ riskTier: 'low', evaluations: [] }), automaticPolicy))
          .thenRefuses('passing-evaluation-required', 422);
      });

      it('never approves a medium- or high-risk version without a person', () => {
        const recorded: ApprovalPolicy = {
          ...DEFAULT_APPROVAL_POLICY,
          high: { stages: [], requirePassingEvaluation: true, requireGrantComment: true },
        };
        given(approvalDecider)
          .when(requestApproval(facts(), recorded))
          .thenRefuses('automatic-approval-not-allowed', 422);
      });

      it('as an automatic request: not applicable where the tier has stages', () => {
        given(approvalDecider)
          .when({ ...requestApproval(low), automaticFor: { evaluationId: EVALUATION_ID } })
          .thenRefuses('automatic-approval-not-applicable', 409);
        const events = given(approvalDecider)
          .when({
            ...requestApproval(low, automaticPolicy),
            automaticFor: { evaluationId: EVALUATION_ID },
          })
          .events();
        expect(events.map((e) => e.type)).toEqual(['ApprovalRequested', 'ModelVersionApproved']);
      });
    });

    it('needs no evaluation when the policy for the tier does not ask for one', () => {
      const [event] = given(approvalDecider)
        .when(requestApproval(facts({ riskTier: 'low', evaluations: [] })))
        .events();
      expect(event.data).toMatchObject({ stages: [{ stage: 0, role: 'risk-manager' }] });
    });

    it('rests the evidence on every evaluation of the version, failed ones included', () => {
      const evaluations = [posted('fail', 'f0'.repeat(32)), serviceRun()];
      const [event] = given(approvalDecider)
        .when(requestApproval(facts({ evaluations })))
        .events();
      expect(event.data).toMatchObject({
        evidence: { evaluationEventHashes: ['f0'.repeat(32), PASS_HASH] },
      });
    });

    it('is a no-op when the same approval id was already requested (a retry)', () => {
      given(approvalDecider, [requested()]).when(requestApproval()).then([]);
    });
  });

  describe('deciding a stage', () => {
    it('grants the first stage to a risk manager', () => {
      given(approvalDecider, [requested()])
        .when(decide(RISK))
        .then([granted(0, 'risk-manager', RISK.sub)]);
    });

    it('grants the last stage and approves the version with every approver and the request’s evidence digest', () => {
      given(approvalDecider, afterStage0)
        .when(decide(COMPLIANCE))
        .then([
          granted(1, 'compliance-officer', COMPLIANCE.sub),
          {
            type: 'ModelVersionApproved',
            data: {
              approvalId: ID,
              model: 'credit-risk',
              version: '1.4.0',
              environment: 'production',
              evidenceDigest: evidenceDigest(evidence),
              approvers: [
                { stage: 0, role: 'risk-manager', sub: RISK.sub, at: LATER },
                { stage: 1, role: 'compliance-officer', sub: COMPLIANCE.sub, at: LATER },
              ],
              approvedAt: LATER,
            },
          },
        ]);
    });

    it('approves a one-stage request on its only grant', () => {
      const oneStage = requested({ stages: [{ stage: 0, role: 'risk-manager' }] });
      const events = given(approvalDecider, [oneStage]).when(decide(RISK)).events();
      expect(events.map((e) => e.type)).toEqual(['ApprovalStageGranted', 'ModelVersionApproved']);
    });

    it('rejects a stage with a comment, which ends the request', () => {
      given(approvalDecider, [requested()])
        .when(decide(RISK, 'reject'))
        .then([
          {
            type: 'ApprovalRejected',
            data: {
              approvalId: ID,
              stage: 0,
              role: 'risk-manager',
              rejectedBy: RISK.sub,
              rejectedAt: LATER,
              comment: 'fairness gap on age-band',
            },
          },
        ]);
    });

    it('refuses a rejection without a comment (400)', () => {
      given(approvalDecider, [requested()])
        .when(decide(RISK, 'reject', { comment: null }))
        .thenRefuses('invalid-request', 400);
      given(approvalDecider, [requested()])
        .when(decide(RISK, 'reject', { comment: '   ' }))
        .thenRefuses('invalid-request', 400);
    });

    describe('the grant comment the policy requires', () => {
      const withoutRequirement = (riskTier: 'low' | 'medium' | 'high') => {
        const { requireGrantComment: _recordedLater, ...data } = requested({ riskTier }).data;
        return { type: 'ApprovalRequested' as const, data };
      };

      it('records the requirement from the policy for the tier: high by default, not low', () => {
        const [high] = given(approvalDecider).when(requestApproval()).events();
        expect(high.data).toMatchObject({ riskTier: 'high', requireGrantComment: true });
        const [low] = given(approvalDecider)
          .when(requestApproval(facts({ riskTier: 'low' })))
          .events();
        expect(low.data).toMatchObject({ riskTier: 'low', requireGrantComment: false });
        const relaxed: ApprovalPolicy = {
          ...DEFAULT_APPROVAL_POLICY,
          high: { ...DEFAULT_APPROVAL_POLICY.high, requireGrantComment: false },
        };
        const [optional] = given(approvalDecider).when(requestApproval(facts(), relaxed)).events();
        expect(optional.data).toMatchObject({ riskTier: 'high', requireGrantComment: false });
      });

      it.each([null, '', '   \n'])(
        'refuses a grant with comment %j where required (422 naming comment), appending nothing',
        (comment) => {
          let refusal: unknown;
          try {
            approvalDecider.decide(
              decide(RISK, 'grant', { comment }),
              given(approvalDecider, [requested()]).state,
            );
          } catch (error) {
            refusal = error;
          }
          expect(refusal).toMatchObject({
            code: 'grant-comment-required',
            status: 422,
            message: expect.stringContaining('the approval policy requires a comment'),
            details: { riskTier: 'high', errors: { comment: [expect.any(String)] } },
          });
        },
      );

      it('grants without a comment where the request does not require one', () => {
        const [event] = given(approvalDecider, [requested({ requireGrantComment: false })])
          .when(decide(RISK, 'grant', { comment: null }))
          .events();
        expect(event).toMatchObject({ type: 'ApprovalStageGranted', data: { comment: null } });
      });

      it('holds a request recorded before the setting to the default: high requires, low does not', () => {
        given(approvalDecider, [withoutRequirement('high')])
          .when(decide(RISK, 'grant', { comment: null }))
          .thenRefuses('grant-comment-required', 422);
        const [event] = given(approvalDecider, [withoutRequirement('low')])
          .when(decide(RISK, 'grant', { comment: null }))
          .events();
        expect(event.type).toBe('ApprovalStageGranted');
      });

      it('keeps an old grant without a comment valid history: the next stage still decides', () => {
        const oldGrant: ApprovalStageGranted = {
          type: 'ApprovalStageGranted',
          data: { ...granted(0, 'risk-manager', RISK.sub).data, comment: null },
        };
        const events = given(approvalDecider, [withoutRequirement('high'), oldGrant])
          .when(decide(COMPLIANCE))
          .events();
        expect(events.map((e) => e.type)).toEqual(['ApprovalStageGranted', 'ModelVersionApproved']);
      });

      it('answers the more basic refusal first: four eyes before the missing comment', () => {
        given(approvalDecider, [requested()])
          .when(decide({ sub: REQUESTER, roles: ['risk-manager'] }, 'grant', { comment: null }))
          .thenRefuses('four-eyes', 403);
      });
    });

    it('refuses an approval never requested', () => {
      given(approvalDecider).when(decide(RISK)).thenRefuses('not-found', 404);
    });

    it.each([
      [
        'approved',
        [...afterStage0, ...given(approvalDecider, afterStage0).when(decide(COMPLIANCE)).events()],
      ],
      [
        'rejected',
        [
          requested(),
          ...given(approvalDecider, [requested()]).when(decide(RISK, 'reject')).events(),
        ],
      ],
      [
        'withdrawn',
        [requested(), ...given(approvalDecider, [requested()]).when(withdraw()).events()],
      ],
    ])('refuses a decision on a %s request', (_status, history) => {
      given(approvalDecider, history).when(decide(RISK)).thenRefuses('approval-closed', 409);
      given(approvalDecider, history)
        .when(decide(RISK, 'reject'))
        .thenRefuses('approval-closed', 409);
    });

    it('refuses a stage already decided', () => {
      given(approvalDecider, afterStage0)
        .when(decide({ sub: 'rob', roles: ['risk-manager'] }, 'grant', { stage: 0 }))
        .thenRefuses('stage-not-pending', 409);
    });

    it('refuses a stage out of order', () => {
      given(approvalDecider, [requested()])
        .when(decide(COMPLIANCE, 'grant', { stage: 1 }))
        .thenRefuses('stage-not-pending', 409);
    });

    it('refuses a stage the request does not have', () => {
      given(approvalDecider, [requested()])
        .when(decide(RISK, 'grant', { stage: 2 }))
        .thenRefuses('unknown-stage', 422);
    });

    it('refuses a caller without the stage’s role', () => {
      given(approvalDecider, [requested()])
        .when(decide(COMPLIANCE))
        .thenRefuses('stage-role-required', 403);
      given(approvalDecider, afterStage0)
        .when(decide({ sub: 'rob', roles: ['risk-manager'] }))
        .thenRefuses('stage-role-required', 403);
    });

    describe('four eyes', () => {
      it('refuses the version’s registrant, even holding the stage’s role', () => {
        given(approvalDecider, [requested()])
          .when(decide({ sub: REGISTRANT, roles: ['data-scientist', 'risk-manager'] }))
          .thenRefuses('four-eyes', 403);
      });

      it('refuses the training run’s author', () => {
        given(approvalDecider, [requested()])
          .when(decide({ sub: TRAINER, roles: ['risk-manager'] }))
          .thenRefuses('four-eyes', 403);
      });

      it('refuses the requester', () => {
        given(approvalDecider, [requested()])
          .when(decide({ sub: REQUESTER, roles: ['risk-manager'] }))
          .thenRefuses('four-eyes', 403);
      });

      it('refuses them a rejection as well as a grant', () => {
        given(approvalDecider, [requested()])
          .when(decide({ sub: REQUESTER, roles: ['risk-manager'] }, 'reject'))
          .thenRefuses('four-eyes', 403);
        given(approvalDecider, afterStage0)
          .when(decide({ sub: REGISTRANT, roles: ['compliance-officer'] }, 'reject'))
          .thenRefuses('four-eyes', 403);
      });

      it('refuses a second stage to the person who granted the first', () => {
        given(approvalDecider, afterStage0)
          .when(decide({ sub: RISK.sub, roles: ['risk-manager', 'compliance-officer'] }))
          .thenRefuses('one-stage-per-person', 403);
        given(approvalDecider, afterStage0)
          .when(decide({ sub: RISK.sub, roles: ['risk-manager', 'compliance-officer'] }, 'reject'))
          .thenRefuses('one-stage-per-person', 403);
      });

      it('lets a different holder of both roles decide the second stage', () => {
        const events = given(approvalDecider, afterStage0)
          .when(decide({ sub: 'cleo', roles: ['risk-manager', 'compliance-officer'] }))
          .events();
        expect(events.map((e) => e.type)).toEqual(['ApprovalStageGranted', 'ModelVersionApproved']);
      });
    });

    describe('evidence', () => {
      it('refuses a grant when an evaluation was added since the request', () => {
        const evaluations = [serviceRun(), posted('fail', 'f1'.repeat(32))];
        given(approvalDecider, [requested()])
          .when(decide(RISK, 'grant', { modelVersion: facts({ evaluations }) }))
          .thenRefuses('evidence-changed', 409);
      });

      it('refuses a grant when the artifact changed since the request', () => {
        given(approvalDecider, afterStage0)
          .when(
            decide(COMPLIANCE, 'grant', {
              modelVersion: facts({ artifactDigest: `sha256:${'b2'.repeat(32)}` }),
            }),
          )
          .thenRefuses('evidence-changed', 409);
      });

      it('refuses a grant of a version retired since the request', () => {
        given(approvalDecider, [requested()])
          .when(decide(RISK, 'grant', { modelVersion: facts({ retired: true }) }))
          .thenRefuses('model-version-retired', 409);
      });

      it('still lets a reviewer reject a request whose evidence changed', () => {
        const events = given(approvalDecider, [requested()])
          .when(decide(RISK, 'reject', { modelVersion: facts({ evaluations: [] }) }))
          .events();
        expect(events.map((e) => e.type)).toEqual(['ApprovalRejected']);
      });
    });
  });

  describe('withdrawing', () => {
    it('lets the requester withdraw a pending request', () => {
      given(approvalDecider, afterStage0)
        .when(withdraw())
        .then([
          {
            type: 'ApprovalWithdrawn',
            data: {
              approvalId: ID,
              withdrawnBy: REQUESTER,
              withdrawnAt: LATER,
              reason: 'new evaluation coming',
            },
          },
        ]);
    });

    it('refuses anyone but the requester', () => {
      given(approvalDecider, [requested()])
        .when(withdraw('tom'))
        .thenRefuses('not-the-requester', 403);
    });

    it('refuses a closed request', () => {
      const withdrawn = given(approvalDecider, [requested()]).when(withdraw()).events();
      given(approvalDecider, [requested(), ...withdrawn])
        .when(withdraw())
        .thenRefuses('approval-closed', 409);
    });

    it('refuses an approval never requested', () => {
      given(approvalDecider).when(withdraw()).thenRefuses('not-found', 404);
    });
  });
});
