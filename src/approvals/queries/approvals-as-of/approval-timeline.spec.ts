import type { ApprovalEvent } from '../../approval.events';
import { type ApprovalSnapshot, nextSnapshot } from './approval-timeline';

const approvalId = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f';
const requested: ApprovalEvent = {
  type: 'ApprovalRequested',
  data: {
    approvalId,
    model: 'credit-risk',
    version: '1.0.0',
    environment: 'production',
    riskTier: 'high',
    stages: [
      { stage: 0, role: 'risk-manager' },
      { stage: 1, role: 'compliance-officer' },
    ],
    requirePassingEvaluation: true,
    evidence: { artifactDigest: 'sha256:a', datasetContentHashes: [], evaluationEventHashes: [] },
    evidenceDigest: 'sha256:e',
    registeredBy: 'reggie',
    trainedBy: 'tara',
    requestedBy: 'dana',
    requestedAt: '2026-03-01T00:00:00.000Z',
    comment: null,
  },
};
const grant = (stage: number, by: string, at: string): ApprovalEvent => ({
  type: 'ApprovalStageGranted',
  data: {
    approvalId,
    stage,
    role: stage === 0 ? 'risk-manager' : 'compliance-officer',
    grantedBy: by,
    grantedAt: at,
    comment: null,
  },
});
const approved: ApprovalEvent = {
  type: 'ModelVersionApproved',
  data: {
    approvalId,
    model: 'credit-risk',
    version: '1.0.0',
    environment: 'production',
    evidenceDigest: 'sha256:e',
    approvers: [],
    approvedAt: '2026-03-03T00:00:00.000Z',
  },
};
const withdrawn: ApprovalEvent = {
  type: 'ApprovalWithdrawn',
  data: {
    approvalId,
    withdrawnBy: 'dana',
    withdrawnAt: '2026-03-04T00:00:00.000Z',
    reason: 'later',
  },
};

function fold(events: ApprovalEvent[]): ApprovalSnapshot | null {
  return events.reduce<ApprovalSnapshot | null>(
    (snapshot, event) => nextSnapshot(snapshot, event),
    null,
  );
}

describe('approval timeline', () => {
  it('starts pending at the first stage and records nothing before the request', () => {
    expect(nextSnapshot(null, grant(0, 'rick', '2026-03-02T00:00:00.000Z'))).toBeNull();
    expect(fold([requested])).toMatchObject({
      status: 'pending',
      currentStage: 0,
      currentRole: 'risk-manager',
      grantedBy: [],
      stages: [{ status: 'pending' }, { status: 'pending' }],
    });
  });

  it('moves stage by stage to approved', () => {
    const halfway = fold([requested, grant(0, 'rick', '2026-03-02T00:00:00.000Z')]);
    expect(halfway).toMatchObject({
      status: 'pending',
      currentStage: 1,
      currentRole: 'compliance-officer',
      grantedBy: ['rick'],
      stages: [
        { status: 'granted', by: 'rick', at: '2026-03-02T00:00:00.000Z' },
        { status: 'pending', by: null },
      ],
    });
    const done = fold([
      requested,
      grant(0, 'rick', '2026-03-02T00:00:00.000Z'),
      grant(1, 'cora', '2026-03-03T00:00:00.000Z'),
      approved,
    ]);
    expect(done).toMatchObject({
      status: 'approved',
      currentStage: null,
      currentRole: null,
      decidedAt: '2026-03-03T00:00:00.000Z',
      grantedBy: ['rick', 'cora'],
    });
  });

  it('ignores a second grant of a stage, a repeated request and anything after a decision', () => {
    const once = fold([requested, grant(0, 'rick', '2026-03-02T00:00:00.000Z')]);
    expect(nextSnapshot(once, grant(0, 'rob', '2026-03-05T00:00:00.000Z'))).toBe(once);
    expect(nextSnapshot(once, requested)).toBe(once);
    const closed = fold([requested, withdrawn]);
    expect(closed).toMatchObject({
      status: 'withdrawn',
      closedBy: 'dana',
      withdrawalReason: 'later',
    });
    expect(nextSnapshot(closed, grant(0, 'rick', '2026-03-05T00:00:00.000Z'))).toBe(closed);
  });

  it('records a rejection on its stage and closes the request', () => {
    const rejected = fold([
      requested,
      {
        type: 'ApprovalRejected',
        data: {
          approvalId,
          stage: 0,
          role: 'risk-manager',
          rejectedBy: 'rob',
          rejectedAt: '2026-03-02T00:00:00.000Z',
          comment: 'no',
        },
      },
    ]);
    expect(rejected).toMatchObject({
      status: 'rejected',
      closedBy: 'rob',
      decidedAt: '2026-03-02T00:00:00.000Z',
      stages: [{ status: 'rejected', by: 'rob', comment: 'no' }, { status: 'pending' }],
    });
  });
});
