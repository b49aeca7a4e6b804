import { v7 as uuidv7 } from 'uuid';
import {
  approvalHistory,
  decide,
  request,
  withdraw,
} from '../../../../tests/support/approval-histories';
import { statementsToApply } from '../../../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { ApprovalsProjection } from './approvals.projection';

describe('approvals projection', () => {
  let spec: ProjectionSpec<ApprovalsProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(ApprovalsProjection);
  });
  afterAll(() => spec?.close());

  const approved = uuidv7();
  const events = [
    ...approvalHistory(approved, [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant'),
      decide('cora', ['compliance-officer'], 'grant'),
    ]),
    ...approvalHistory(uuidv7(), [
      request('2026-03-01T00:00:01.000Z'),
      decide('rob', ['risk-manager'], 'reject'),
    ]),
    ...approvalHistory(uuidv7(), [request('2026-03-01T00:00:02.000Z'), withdraw()]),
    ...approvalHistory(uuidv7(), [
      request('2026-03-01T00:00:03.000Z'),
      decide('rob', ['risk-manager'], 'grant'),
    ]),
  ];
  let recorded: RecordedEvent[];

  const rows = () =>
    spec.rows<Record<string, unknown>>('SELECT * FROM approvals ORDER BY requested_at');

  it('handles the approval stream’s event types, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'ApprovalRejected',
      'ApprovalRequested',
      'ApprovalStageGranted',
      'ApprovalWithdrawn',
      'ModelVersionApproved',
    ]);
  });

  it('builds one row per request with its stages and status', async () => {
    recorded = await spec.given(events);
    const table = await rows();
    expect(table.map((row) => row.status)).toEqual([
      'approved',
      'rejected',
      'withdrawn',
      'pending',
    ]);
    expect(table[0]).toMatchObject({
      id: approved,
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      risk_tier: 'high',
      requested_by: 'dana',
      registered_by: 'reggie',
      trained_by: 'tara',
      require_passing_evaluation: true,
      passing_evaluation_id: '01950000-0000-7000-8000-0000000000e1',
      automatic: false,
      decided_at: new Date('2026-03-02T00:00:00.000Z'),
      granted_by: ['rita', 'cora'],
      current_stage: null,
      current_role: null,
      stages: [
        { stage: 0, role: 'risk-manager', status: 'granted', by: 'rita', comment: 'ok' },
        { stage: 1, role: 'compliance-officer', status: 'granted', by: 'cora', comment: 'ok' },
      ],
    });
    expect(table[0].evidence_digest).toBe(
      (events[0].type === 'ApprovalRequested' && events[0].data.evidenceDigest) || null,
    );
    expect(table[1]).toMatchObject({
      closed_by: 'rob',
      decided_at: new Date('2026-03-02T00:00:00.000Z'),
      current_stage: null,
      stages: [{ status: 'rejected', comment: 'no' }, { status: 'pending' }],
    });
    expect(table[2]).toMatchObject({ closed_by: 'dana', withdrawal_reason: 'later' });
    expect(table[3]).toMatchObject({
      current_stage: 1,
      current_role: 'compliance-officer',
      granted_by: ['rob'],
      decided_at: null,
    });
  });

  it('changes nothing when events are applied again', async () => {
    const before = await rows();
    await spec.apply(recorded);
    expect(await rows()).toEqual(before);
  });

  it('gives identical rows when rebuilt from nothing', async () => {
    const before = await rows();
    await spec.truncate();
    await spec.apply(recorded, { rebuilding: true });
    expect(await rows()).toEqual(before);
  });

  it('records an automatic approval: no stage, approved by its passing evaluation', async () => {
    const id = uuidv7();
    await spec.given(
      approvalHistory(id, [
        request('2026-03-01T00:00:00.000Z', { riskTier: 'low', automatic: true }),
      ]),
    );
    expect(await rows()).toEqual([
      expect.objectContaining({
        id,
        risk_tier: 'low',
        status: 'approved',
        stages: [],
        current_stage: null,
        current_role: null,
        granted_by: [],
        automatic: true,
        passing_evaluation_id: '01950000-0000-7000-8000-0000000000e1',
        decided_at: new Date('2026-03-01T00:00:00.000Z'),
      }),
    ]);
  });

  it('ignores a decision on a closed request or an already decided stage, and one on no request', async () => {
    const id = uuidv7();
    const history = approvalHistory(id, [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant'),
      decide('cora', ['compliance-officer'], 'reject'),
    ]);
    const [, granted, rejected] = history;
    const late = approvalHistory(id, [request('2026-03-01T00:00:00.000Z'), withdraw()])[1];
    const elsewhere = approvalHistory(uuidv7(), [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant'),
    ])[1];
    // The grant again in the same run, then a withdrawal after the rejection closed the request.
    await spec.given([history[0], granted, granted, elsewhere, rejected, late]);
    expect(await rows()).toEqual([
      expect.objectContaining({
        id,
        status: 'rejected',
        closed_by: 'cora',
        withdrawal_reason: null,
        granted_by: ['rita'],
        stages: [
          expect.objectContaining({ status: 'granted', by: 'rita' }),
          expect.objectContaining({ status: 'rejected', by: 'cora' }),
        ],
      }),
    ]);
  });

  it('writes a run of requests, or of decisions on distinct requests, in one statement', async () => {
    const histories = Array.from({ length: 20 }, () =>
      approvalHistory(uuidv7(), [
        request('2026-03-01T00:00:00.000Z'),
        decide('rita', ['risk-manager'], 'grant'),
      ]),
    );
    const requested = spec.record(histories.map((history) => history[0]));
    const granted = spec.record(histories.map((history) => history[1]));
    await spec.truncate();
    expect(await statementsToApply(spec, requested, null)).toBe(1);
    await spec.apply(requested);
    expect(await statementsToApply(spec, granted, null)).toBe(1);
  });

  it('builds the same rows rebuilt in one page as applied live or in uneven pages', async () => {
    await spec.expectRebuildEqualsLive([
      ...events,
      ...approvalHistory(uuidv7(), [
        request('2026-03-01T00:00:04.000Z', { riskTier: 'low', automatic: true }),
      ]),
    ]);
  });
});
