import {
  APPROVAL_1,
  APPROVAL_2,
  APPROVAL_3,
  deployed,
  promoted,
  retired,
  rolledBack,
} from '../../../../tests/support/deployment-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import { DeploymentTimelineProjection } from './deployment-timeline.projection';

/** When the ledger recorded it: the timeline is dated by the event's occurredAt. */
const on = <E>(event: E, day: number) => ({
  ...event,
  recordedAt: new Date(Date.UTC(2026, 3, day, 12)).toISOString(),
});

describe('DeploymentTimelineProjection', () => {
  let spec: ProjectionSpec<DeploymentTimelineProjection>;

  beforeAll(async () => {
    spec = await projectionSpec(DeploymentTimelineProjection);
  });
  afterAll(() => spec?.close());

  const timeline = (deploymentId: string) =>
    spec.rows(
      `SELECT revision::text AS revision, model, environment, event_type, version, canary_version,
         canary_percent, strategy, status, approval_id, cited_approvals, deployed_by,
         to_json(at) #>> '{}' AS at, event_id::text AS event_id
       FROM deployment_timeline t WHERE deployment_id = $1 ORDER BY t.revision`,
      [deploymentId],
    );

  it('derives its event types from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'DeploymentPromoted',
      'DeploymentRetired',
      'DeploymentRolledBack',
      'ModelDeployed',
    ]);
  });

  it('records a rollout as the deployment it left, dated when it was recorded', async () => {
    const [event] = await spec.given([on(deployed('credit-risk.production', '1.0.0'), 1)]);
    const [row] = await timeline('credit-risk.production');
    expect({ ...row, at: new Date(row.at as string).toISOString() }).toEqual({
      revision: event.revision.toString(),
      model: 'credit-risk',
      environment: 'production',
      event_type: 'ModelDeployed',
      version: '1.0.0',
      canary_version: null,
      canary_percent: null,
      strategy: 'full',
      status: 'active',
      approval_id: APPROVAL_1,
      cited_approvals: { '1.0.0': APPROVAL_1 },
      deployed_by: 'dev-ops',
      at: '2026-04-01T12:00:00.000Z',
      event_id: event.id,
    });
  });

  it('follows a canary, its promotion, a rollback and the retirement, one row per event', async () => {
    await spec.given([
      deployed('credit-risk.production', '1.0.0', { approvalId: APPROVAL_1 }),
      deployed('credit-risk.production', '1.1.0', {
        previousVersion: '1.0.0',
        canaryPercent: 10,
        approvalId: APPROVAL_2,
      }),
      promoted('credit-risk.production', '1.1.0', '1.0.0'),
      deployed('credit-risk.production', '1.2.0', { previousVersion: '1.1.0', approvalId: null }),
      rolledBack('credit-risk.production', '1.2.0', '1.1.0', { automatic: true }),
      retired('credit-risk.production', '1.1.0'),
    ]);
    const rows = await timeline('credit-risk.production');
    expect(
      rows.map(({ event_type, version, canary_version, canary_percent, strategy, status }) => ({
        event_type,
        version,
        canary_version,
        canary_percent,
        strategy,
        status,
      })),
    ).toEqual([
      {
        event_type: 'ModelDeployed',
        version: '1.0.0',
        canary_version: null,
        canary_percent: null,
        strategy: 'full',
        status: 'active',
      },
      {
        event_type: 'ModelDeployed',
        version: '1.0.0',
        canary_version: '1.1.0',
        canary_percent: 10,
        strategy: 'canary',
        status: 'active',
      },
      {
        event_type: 'DeploymentPromoted',
        version: '1.1.0',
        canary_version: null,
        canary_percent: null,
        strategy: 'full',
        status: 'active',
      },
      {
        event_type: 'ModelDeployed',
        version: '1.2.0',
        canary_version: null,
        canary_percent: null,
        strategy: 'full',
        status: 'active',
      },
      {
        event_type: 'DeploymentRolledBack',
        version: '1.1.0',
        canary_version: null,
        canary_percent: null,
        strategy: 'full',
        status: 'active',
      },
      {
        event_type: 'DeploymentRetired',
        version: null,
        canary_version: null,
        canary_percent: null,
        strategy: 'full',
        status: 'retired',
      },
    ]);
    // Each version's newest rollout's approval is carried along; the rollback returns 1.1.0's.
    expect(rows.map((row) => [row.approval_id, row.deployed_by])).toEqual([
      [APPROVAL_1, 'dev-ops'],
      [APPROVAL_2, 'dev-ops'],
      [APPROVAL_2, 'release-manager'],
      [null, 'dev-ops'],
      [APPROVAL_2, 'attest'],
      [null, 'dev-ops'],
    ]);
    expect(rows[5].cited_approvals).toEqual({
      '1.0.0': APPROVAL_1,
      '1.1.0': APPROVAL_2,
      '1.2.0': null,
    });
  });

  it('leaves a deployment rolled back to nothing inactive', async () => {
    await spec.given([
      deployed('fraud.staging', '2.0.0', { approvalId: APPROVAL_3 }),
      rolledBack('fraud.staging', '2.0.0', null),
    ]);
    expect((await timeline('fraud.staging'))[1]).toMatchObject({
      version: null,
      status: 'inactive',
      approval_id: null,
      cited_approvals: { '2.0.0': APPROVAL_3 },
    });
  });

  it('records nothing for changes to a deployment never rolled out', async () => {
    await spec.given([
      promoted('ghost.staging', '1.0.0', null),
      rolledBack('ghost.staging', '1.0.0', null),
      retired('ghost.staging', '1.0.0'),
    ]);
    expect(await timeline('ghost.staging')).toEqual([]);
  });

  it('folds a later page from the row the earlier pages left', async () => {
    await spec.given([
      deployed('credit-risk.production', '1.0.0', { approvalId: APPROVAL_1 }),
      deployed('credit-risk.production', '1.1.0', { previousVersion: '1.0.0', approvalId: null }),
    ]);
    await spec.given([rolledBack('credit-risk.production', '1.1.0', '1.0.0')], { keep: true });
    expect((await timeline('credit-risk.production'))[2]).toMatchObject({
      event_type: 'DeploymentRolledBack',
      version: '1.0.0',
      approval_id: APPROVAL_1,
      cited_approvals: { '1.0.0': APPROVAL_1, '1.1.0': null },
    });
  });

  it('folds deployments interleaved in one page, across runs of different event types', async () => {
    await spec.given([
      deployed('a.production', '1.0.0', { approvalId: APPROVAL_1 }),
      deployed('b.production', '5.0.0', { approvalId: APPROVAL_2 }),
      deployed('a.production', '1.1.0', {
        previousVersion: '1.0.0',
        canaryPercent: 50,
        approvalId: APPROVAL_3,
      }),
      promoted('a.production', '1.1.0', '1.0.0'),
      deployed('b.production', '5.1.0', { previousVersion: '5.0.0', approvalId: null }),
      rolledBack('a.production', '1.1.0', '1.0.0'),
      rolledBack('b.production', '5.1.0', '5.0.0'),
    ]);
    expect((await timeline('a.production')).map((row) => [row.version, row.approval_id])).toEqual([
      ['1.0.0', APPROVAL_1],
      ['1.0.0', APPROVAL_3],
      ['1.1.0', APPROVAL_3],
      ['1.0.0', APPROVAL_1],
    ]);
    expect((await timeline('b.production')).map((row) => [row.version, row.approval_id])).toEqual([
      ['5.0.0', APPROVAL_2],
      ['5.1.0', null],
      ['5.0.0', APPROVAL_2],
    ]);
  });

  it('changes nothing when events are delivered again', async () => {
    const recorded = await spec.given([
      deployed('credit-risk.production', '1.0.0'),
      deployed('credit-risk.production', '1.1.0', {
        previousVersion: '1.0.0',
        canaryPercent: 10,
        approvalId: APPROVAL_2,
      }),
      promoted('credit-risk.production', '1.1.0', '1.0.0'),
    ]);
    const before = await spec.snapshot();
    await spec.apply(recorded);
    await spec.apply(recorded.slice(1), { pageSize: 1 });
    expect(await spec.snapshot()).toEqual(before);
  });

  it('ends with the same rows rebuilt as applied live, in pages of any size', async () => {
    await spec.expectRebuildEqualsLive([
      deployed('credit-risk.production', '1.0.0', { minute: 0 }),
      deployed('fraud.staging', '2.0.0', { approvalId: null, minute: 1 }),
      deployed('credit-risk.production', '1.1.0', {
        previousVersion: '1.0.0',
        canaryPercent: 20,
        approvalId: APPROVAL_2,
        minute: 2,
      }),
      deployed('fraud.staging', '2.1.0', { previousVersion: '2.0.0', approvalId: null, minute: 3 }),
      promoted('credit-risk.production', '1.1.0', '1.0.0', 4),
      rolledBack('fraud.staging', '2.1.0', '2.0.0', { minute: 5 }),
      deployed('credit-risk.production', '1.2.0', {
        previousVersion: '1.1.0',
        approvalId: APPROVAL_3,
        minute: 6,
      }),
      rolledBack('credit-risk.production', '1.2.0', '1.1.0', { automatic: true, minute: 7 }),
      rolledBack('fraud.staging', '2.0.0', null, { minute: 8 }),
      deployed('fraud.staging', '2.2.0', { approvalId: APPROVAL_1, minute: 9 }),
      retired('credit-risk.production', '1.1.0', 10),
      promoted('ghost.staging', '1.0.0', null, 11),
    ]);
  });
});
