import { v7 as uuidv7 } from 'uuid';
import {
  approvalHistory,
  decide,
  request,
  withdraw,
} from '../../../../tests/support/approval-histories';
import { statementsToApply } from '../../../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import { ApprovalTimelineProjection } from './approval-timeline.projection';

describe('approval-timeline projection', () => {
  let spec: ProjectionSpec<ApprovalTimelineProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(ApprovalTimelineProjection);
  });
  afterAll(() => spec?.close());

  const timeline = () =>
    spec.rows<Record<string, unknown>>(
      'SELECT * FROM approval_timeline ORDER BY requested_at, approval_id, revision',
    );
  const summary = async () =>
    (await timeline()).map((row) => [
      row.event_type,
      row.status,
      row.current_stage,
      row.current_role,
      row.granted_by,
    ]);

  it('handles the approval stream’s event types, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'ApprovalRejected',
      'ApprovalRequested',
      'ApprovalStageGranted',
      'ApprovalWithdrawn',
      'ModelVersionApproved',
    ]);
  });

  it('records the request as each event left it, dated by the event', async () => {
    const id = uuidv7();
    const events = approvalHistory(id, [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant'),
      decide('cora', ['compliance-officer'], 'grant', '2026-03-04T00:00:00.000Z'),
    ]).map((event, index) => ({ ...event, recordedAt: `2026-03-0${index + 1}T12:00:00.000Z` }));
    const recorded = await spec.given(events);
    expect(await summary()).toEqual([
      ['ApprovalRequested', 'pending', 0, 'risk-manager', []],
      ['ApprovalStageGranted', 'pending', 1, 'compliance-officer', ['rita']],
      ['ApprovalStageGranted', 'pending', null, null, ['rita', 'cora']],
      ['ModelVersionApproved', 'approved', null, null, ['rita', 'cora']],
    ]);
    const rows = await timeline();
    expect(rows.map((row) => row.event_id)).toEqual(recorded.map((event) => event.id));
    expect(rows.map((row) => String(row.revision))).toEqual(
      recorded.map((event) => String(event.revision)),
    );
    expect(rows.map((row) => row.at)).toEqual(
      recorded.map((event) => new Date(event.metadata.occurredAt)),
    );
    expect(rows[0]).toMatchObject({
      approval_id: id,
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      risk_tier: 'high',
      requested_by: 'dana',
      registered_by: 'reggie',
      trained_by: 'tara',
      require_passing_evaluation: true,
      passing_evaluation_id: '01950000-0000-7000-8000-0000000000e1',
      requested_at: new Date('2026-03-01T00:00:00.000Z'),
      decided_at: null,
      automatic: false,
      stages: [
        { stage: 0, role: 'risk-manager', status: 'pending', by: null, at: null, comment: null },
        {
          stage: 1,
          role: 'compliance-officer',
          status: 'pending',
          by: null,
          at: null,
          comment: null,
        },
      ],
    });
    expect(rows[3]).toMatchObject({
      decided_at: new Date('2026-03-04T00:00:00.000Z'),
      stages: [
        { status: 'granted', by: 'rita', at: '2026-03-02T00:00:00.000Z', comment: 'ok' },
        { status: 'granted', by: 'cora', at: '2026-03-04T00:00:00.000Z', comment: 'ok' },
      ],
    });
  });

  it('records rejections, withdrawals and automatic approvals', async () => {
    await spec.given([
      ...approvalHistory(uuidv7(), [
        request('2026-03-01T00:00:00.000Z'),
        decide('rob', ['risk-manager'], 'reject'),
      ]),
      ...approvalHistory(uuidv7(), [request('2026-03-01T00:00:01.000Z'), withdraw()]),
      ...approvalHistory(uuidv7(), [
        request('2026-03-01T00:00:02.000Z', { riskTier: 'low', automatic: true }),
      ]),
    ]);
    expect(await summary()).toEqual([
      ['ApprovalRequested', 'pending', 0, 'risk-manager', []],
      ['ApprovalRejected', 'rejected', null, null, []],
      ['ApprovalRequested', 'pending', 0, 'risk-manager', []],
      ['ApprovalWithdrawn', 'withdrawn', null, null, []],
      ['ApprovalRequested', 'pending', 0, null, []],
      ['ModelVersionApproved', 'approved', null, null, []],
    ]);
    const rows = await timeline();
    expect(rows[1]).toMatchObject({
      closed_by: 'rob',
      stages: [{ status: 'rejected', by: 'rob', comment: 'no' }, { status: 'pending' }],
    });
    expect(rows[3]).toMatchObject({ closed_by: 'dana', withdrawal_reason: 'later' });
    expect(rows[5]).toMatchObject({ automatic: true, stages: [], risk_tier: 'low' });
  });

  it('keeps a closed request as it was, skips a decision on no request, and a replay adds nothing', async () => {
    const id = uuidv7();
    const [requested, rejected] = approvalHistory(id, [
      request('2026-03-01T00:00:00.000Z'),
      decide('rob', ['risk-manager'], 'reject'),
    ]);
    const late = approvalHistory(id, [request('2026-03-01T00:00:00.000Z'), withdraw()])[1];
    const orphan = approvalHistory(uuidv7(), [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant'),
    ])[1];
    const recorded = await spec.given([orphan, requested, rejected, late]);
    expect(await summary()).toEqual([
      ['ApprovalRequested', 'pending', 0, 'risk-manager', []],
      ['ApprovalRejected', 'rejected', null, null, []],
      ['ApprovalWithdrawn', 'rejected', null, null, []],
    ]);
    expect((await timeline())[2]).toMatchObject({ closed_by: 'rob', withdrawal_reason: null });
    const before = await timeline();
    await spec.apply(recorded);
    expect(await timeline()).toEqual(before);
  });

  it('folds from the rows of earlier pages, and skips a request id that is not a UUID', async () => {
    const id = uuidv7();
    const [requested, granted] = approvalHistory(id, [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant'),
    ]);
    const recorded = spec.record([requested, granted]);
    const malformed = { ...recorded[1], data: { ...recorded[1].data, approvalId: 'approval-1' } };
    await spec.truncate();
    await spec.apply([recorded[0]]);
    await spec.apply([malformed, recorded[1]]);
    expect(await summary()).toEqual([
      ['ApprovalRequested', 'pending', 0, 'risk-manager', []],
      ['ApprovalStageGranted', 'pending', 1, 'compliance-officer', ['rita']],
    ]);
  });

  it('reads and writes a run in two statements', async () => {
    const requested = spec.record(
      Array.from(
        { length: 20 },
        () => approvalHistory(uuidv7(), [request('2026-03-01T00:00:00.000Z')])[0],
      ),
    );
    await spec.truncate();
    expect(await statementsToApply(spec, requested, null)).toBe(2);
  });

  it('builds the same rows rebuilt in one page as applied live or in uneven pages', async () => {
    const first = uuidv7();
    const second = uuidv7();
    const a = approvalHistory(first, [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant'),
      decide('cora', ['compliance-officer'], 'grant'),
    ]);
    const b = approvalHistory(second, [
      request('2026-03-01T00:00:01.000Z'),
      decide('rob', ['risk-manager'], 'grant'),
      withdraw(),
    ]);
    // The two requests' events interleaved, as two streams are in the ledger.
    await spec.expectRebuildEqualsLive([
      a[0],
      b[0],
      a[1],
      b[1],
      a[2],
      a[3],
      b[2],
      ...approvalHistory(uuidv7(), [
        request('2026-03-01T00:00:02.000Z', { riskTier: 'low', automatic: true }),
      ]),
      ...approvalHistory(uuidv7(), [
        request('2026-03-01T00:00:03.000Z'),
        decide('rob', ['risk-manager'], 'reject'),
      ]),
    ]);
  });
});
