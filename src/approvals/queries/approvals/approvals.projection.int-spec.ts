import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { TestApp, startTestApp } from '../../../../tests/support/test-app';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { DEFAULT_APPROVAL_POLICY } from '../../approval-policy.decider';
import { type ApprovalCommand, approvalDecider } from '../../approval.decider';
import type { ApprovalEvent } from '../../approval.events';
import type { ModelVersionFacts } from '../../model-version-facts';
import { ApprovalsProjection } from './approvals.projection';

const facts: ModelVersionFacts = {
  riskTier: 'high',
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
};

/** The events of one approval stream, decided command after command. */
function history(
  approvalId: string,
  commands: ((id: string) => ApprovalCommand)[],
): ApprovalEvent[] {
  const events: ApprovalEvent[] = [];
  for (const command of commands) {
    const state = events.reduce(approvalDecider.evolve, approvalDecider.initialState());
    events.push(...approvalDecider.decide(command(approvalId), state));
  }
  return events;
}

const request =
  (now: string) =>
  (approvalId: string): ApprovalCommand => ({
    type: 'RequestApproval',
    data: {
      approvalId,
      model: 'credit-risk',
      version: '1.0.0',
      environment: 'production',
      comment: null,
    },
    modelVersion: facts,
    policy: DEFAULT_APPROVAL_POLICY,
    evaluationPolicyVersion: 0,
    actor: 'dana',
    now,
  });

const decide =
  (sub: string, roles: string[], decision: 'grant' | 'reject') =>
  (approvalId: string): ApprovalCommand => ({
    type: 'DecideApprovalStage',
    data: { approvalId, decision, stage: null, comment: decision === 'reject' ? 'no' : 'ok' },
    modelVersion: facts,
    actor: { sub, roles },
    now: '2026-03-02T00:00:00.000Z',
  });

const withdraw = (approvalId: string): ApprovalCommand => ({
  type: 'WithdrawApproval',
  data: { approvalId, reason: 'later' },
  actor: 'dana',
  now: '2026-03-03T00:00:00.000Z',
});

function recorded(events: ApprovalEvent[]): RecordedEvent[] {
  return events.map((event, index) => ({
    id: uuidv7(),
    type: event.type,
    stream: `approval-${(event.data as { approvalId: string }).approvalId}`,
    revision: BigInt(index),
    data: JSON.parse(JSON.stringify(event.data)),
    metadata: {
      schemaVersion: 1,
      occurredAt: '2026-03-01T00:00:00.000Z',
      actor: { sub: 'x', roles: [] },
      correlationId: 'c',
      causationId: 'c',
      integrity: { prevHash: '0'.repeat(64), hash: '0'.repeat(64) },
    },
    position: String(index),
    recordedAt: new Date(),
  }));
}

describe('approvals projection', () => {
  let test: TestApp;
  let projection: ApprovalsProjection;
  let dataSource: DataSource;

  beforeAll(async () => {
    test = await startTestApp({ startProjections: false });
    projection = test.app.get(ApprovalsProjection);
    dataSource = test.app.get(DataSource);
  });
  afterAll(() => test?.close());

  const events = recorded([
    ...history(uuidv7(), [
      request('2026-03-01T00:00:00.000Z'),
      decide('rita', ['risk-manager'], 'grant'),
      decide('cora', ['compliance-officer'], 'grant'),
    ]),
    ...history(uuidv7(), [
      request('2026-03-01T00:00:01.000Z'),
      decide('rob', ['risk-manager'], 'reject'),
    ]),
    ...history(uuidv7(), [request('2026-03-01T00:00:02.000Z'), withdraw]),
    ...history(uuidv7(), [
      request('2026-03-01T00:00:03.000Z'),
      decide('rob', ['risk-manager'], 'grant'),
    ]),
  ]);

  const apply = (batch: RecordedEvent[]) =>
    dataSource.transaction(async (manager) => {
      for (const event of batch) await projection.apply(event, manager);
    });
  const rows = () => dataSource.query('SELECT * FROM approvals ORDER BY requested_at');

  it('builds one row per request with its stages and status', async () => {
    await apply(events);
    const table = await rows();
    expect(table.map((row: { status: string }) => row.status)).toEqual([
      'approved',
      'rejected',
      'withdrawn',
      'pending',
    ]);
    expect(table[0]).toMatchObject({
      granted_by: ['rita', 'cora'],
      current_stage: null,
      current_role: null,
      stages: [
        { stage: 0, role: 'risk-manager', status: 'granted', by: 'rita' },
        { stage: 1, role: 'compliance-officer', status: 'granted', by: 'cora' },
      ],
    });
    expect(table[1]).toMatchObject({
      closed_by: 'rob',
      stages: [{ status: 'rejected', comment: 'no' }, { status: 'pending' }],
    });
    expect(table[2]).toMatchObject({ closed_by: 'dana', withdrawal_reason: 'later' });
    expect(table[3]).toMatchObject({
      current_stage: 1,
      current_role: 'compliance-officer',
      granted_by: ['rob'],
    });
  });

  it('changes nothing when events are applied again', async () => {
    const before = await rows();
    await apply(events);
    expect(await rows()).toEqual(before);
  });

  it('gives identical rows when rebuilt from nothing', async () => {
    const before = await rows();
    await dataSource.query(`TRUNCATE ${projection.tables.join(', ')}`);
    await apply(events);
    expect(await rows()).toEqual(before);
  });
});
