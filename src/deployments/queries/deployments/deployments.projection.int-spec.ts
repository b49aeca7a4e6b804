import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import {
  APPROVAL_1,
  APPROVAL_2,
  APPROVAL_3,
  at,
  deployed,
  promoted,
  retired,
  rolledBack,
} from '../../../../tests/support/deployment-events';
import { DeploymentsProjection } from './deployments.projection';

type DeploymentRow = {
  deployment_id: string;
  model: string;
  environment: string;
  version: string | null;
  canary_version: string | null;
  canary_percent: number | null;
  strategy: string;
  status: string;
  approval_id: string | null;
  deployed_by: string;
  updated_at: string;
  last_revision: string;
};

describe('DeploymentsProjection', () => {
  let spec: ProjectionSpec<DeploymentsProjection>;

  beforeAll(async () => {
    spec = await projectionSpec(DeploymentsProjection);
  });
  afterAll(() => spec?.close());

  const deployment = async (deploymentId: string): Promise<DeploymentRow | undefined> => {
    const [row] = await spec.rows<DeploymentRow>(
      `SELECT deployment_id, model, environment, version, canary_version, canary_percent, strategy,
         status, approval_id, deployed_by, to_json(updated_at) #>> '{}' AS updated_at,
         last_revision::text AS last_revision
       FROM deployments WHERE deployment_id = $1`,
      [deploymentId],
    );
    return row;
  };
  const history = (deploymentId: string) =>
    spec.rows(
      `SELECT revision::text AS revision, event_type, version, from_version, to_version, strategy,
         canary_percent, approval_id, reason, automatic, actor,
         to_json(at) #>> '{}' AS at, event_id::text AS event_id
       FROM deployment_history h WHERE deployment_id = $1 ORDER BY h.revision`,
      [deploymentId],
    );
  const utc = (iso: string) => new Date(iso).getTime();

  it('derives its event types from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'DeploymentPromoted',
      'DeploymentRetired',
      'DeploymentRolledBack',
      'ModelDeployed',
    ]);
  });

  it('records a full rollout as the version serving and a history row', async () => {
    const [event] = await spec.given([deployed('credit-risk.production', '1.0.0')]);
    const row = await deployment('credit-risk.production');
    expect({ ...row, updated_at: utc(row?.updated_at ?? '') }).toEqual({
      deployment_id: 'credit-risk.production',
      model: 'credit-risk',
      environment: 'production',
      version: '1.0.0',
      canary_version: null,
      canary_percent: null,
      strategy: 'full',
      status: 'active',
      approval_id: APPROVAL_1,
      deployed_by: 'dev-ops',
      updated_at: utc(at(0)),
      last_revision: event.revision.toString(),
    });
    const [entry] = await history('credit-risk.production');
    expect({ ...entry, at: utc(entry.at as string) }).toEqual({
      revision: event.revision.toString(),
      event_type: 'ModelDeployed',
      version: '1.0.0',
      from_version: null,
      to_version: '1.0.0',
      strategy: 'full',
      canary_percent: null,
      approval_id: APPROVAL_1,
      reason: null,
      automatic: null,
      actor: 'dev-ops',
      at: utc(at(0)),
      event_id: event.id,
    });
  });

  it('keeps the stable version beside a canary, and a promotion makes the canary the version', async () => {
    await spec.given([
      deployed('credit-risk.production', '1.0.0'),
      deployed('credit-risk.production', '1.1.0', {
        previousVersion: '1.0.0',
        canaryPercent: 10,
        approvalId: APPROVAL_2,
        minute: 5,
      }),
    ]);
    expect(await deployment('credit-risk.production')).toMatchObject({
      version: '1.0.0',
      canary_version: '1.1.0',
      canary_percent: 10,
      strategy: 'canary',
      status: 'active',
      approval_id: APPROVAL_2,
    });
    expect((await history('credit-risk.production'))[1]).toMatchObject({
      event_type: 'ModelDeployed',
      version: '1.1.0',
      from_version: '1.0.0',
      to_version: '1.0.0',
      strategy: 'canary',
      canary_percent: 10,
    });

    const [promotion] = await spec.given([promoted('credit-risk.production', '1.1.0', '1.0.0')], {
      keep: true,
    });
    const row = await deployment('credit-risk.production');
    expect(row).toMatchObject({
      version: '1.1.0',
      canary_version: null,
      canary_percent: null,
      strategy: 'full',
      status: 'active',
      approval_id: APPROVAL_2,
      deployed_by: 'release-manager',
      last_revision: promotion.revision.toString(),
    });
    expect(utc(row?.updated_at ?? '')).toBe(utc(at(10)));
    expect((await history('credit-risk.production'))[2]).toMatchObject({
      event_type: 'DeploymentPromoted',
      version: '1.1.0',
      from_version: '1.0.0',
      to_version: '1.1.0',
      strategy: null,
      actor: 'release-manager',
    });
  });

  it('rolls back to the version before, with the approval that version was deployed on', async () => {
    await spec.given([
      deployed('credit-risk.production', '1.0.0', { approvalId: APPROVAL_1 }),
      deployed('credit-risk.production', '1.1.0', {
        previousVersion: '1.0.0',
        approvalId: APPROVAL_2,
        minute: 5,
      }),
      rolledBack('credit-risk.production', '1.1.0', '1.0.0', { automatic: true }),
    ]);
    expect(await deployment('credit-risk.production')).toMatchObject({
      version: '1.0.0',
      strategy: 'full',
      status: 'active',
      approval_id: APPROVAL_1,
      deployed_by: 'attest',
    });
    expect((await history('credit-risk.production'))[2]).toMatchObject({
      event_type: 'DeploymentRolledBack',
      version: '1.1.0',
      from_version: '1.1.0',
      to_version: '1.0.0',
      reason: 'auc breached its threshold',
      automatic: true,
      actor: 'attest',
    });
  });

  it('takes the newest rollout of the returning version for its approval', async () => {
    await spec.given([
      deployed('fraud.staging', '2.0.0', { approvalId: APPROVAL_1 }),
      deployed('fraud.staging', '2.1.0', { previousVersion: '2.0.0', approvalId: null }),
      deployed('fraud.staging', '2.0.0', { previousVersion: '2.1.0', approvalId: APPROVAL_3 }),
      deployed('fraud.staging', '2.2.0', { previousVersion: '2.0.0', approvalId: APPROVAL_2 }),
      rolledBack('fraud.staging', '2.2.0', '2.0.0'),
    ]);
    expect(await deployment('fraud.staging')).toMatchObject({
      version: '2.0.0',
      approval_id: APPROVAL_3,
    });
  });

  it('leaves a deployment rolled back to nothing inactive, without an approval', async () => {
    await spec.given([
      deployed('credit-risk.staging', '0.9.0'),
      rolledBack('credit-risk.staging', '0.9.0', null),
    ]);
    expect(await deployment('credit-risk.staging')).toMatchObject({
      version: null,
      canary_version: null,
      status: 'inactive',
      approval_id: null,
    });
  });

  it('drops a canary on rollback, the stable version serving alone', async () => {
    await spec.given([
      deployed('credit-risk.production', '1.0.0'),
      deployed('credit-risk.production', '1.1.0', {
        previousVersion: '1.0.0',
        canaryPercent: 25,
        approvalId: APPROVAL_2,
      }),
      rolledBack('credit-risk.production', '1.1.0', '1.0.0'),
    ]);
    expect(await deployment('credit-risk.production')).toMatchObject({
      version: '1.0.0',
      canary_version: null,
      canary_percent: null,
      strategy: 'full',
      status: 'active',
      approval_id: APPROVAL_1,
    });
  });

  it('retires a deployment: nothing serves, no approval, the history says why', async () => {
    await spec.given([
      deployed('credit-risk.production', '1.0.0'),
      retired('credit-risk.production', '1.0.0'),
    ]);
    expect(await deployment('credit-risk.production')).toMatchObject({
      version: null,
      canary_version: null,
      canary_percent: null,
      strategy: 'full',
      status: 'retired',
      approval_id: null,
    });
    expect((await history('credit-risk.production'))[1]).toMatchObject({
      event_type: 'DeploymentRetired',
      version: '1.0.0',
      from_version: '1.0.0',
      to_version: null,
      reason: 'model decommissioned',
    });
  });

  it('ignores a change to a deployment never rolled out, but keeps it in the history', async () => {
    await spec.given([promoted('ghost.staging', '1.0.0', null)]);
    expect(await deployment('ghost.staging')).toBeUndefined();
    expect(await history('ghost.staging')).toHaveLength(1);
  });

  it('applies a run that changes one deployment several times as its newest event left it', async () => {
    // One page, one run of ModelDeployed for two deployments interleaved.
    await spec.given([
      deployed('credit-risk.production', '1.0.0'),
      deployed('fraud.production', '3.0.0', { approvalId: APPROVAL_3 }),
      deployed('credit-risk.production', '1.1.0', { previousVersion: '1.0.0', approvalId: null }),
      deployed('credit-risk.production', '1.2.0', {
        previousVersion: '1.1.0',
        canaryPercent: 5,
        approvalId: APPROVAL_2,
      }),
    ]);
    expect(await deployment('credit-risk.production')).toMatchObject({
      version: '1.1.0',
      canary_version: '1.2.0',
      canary_percent: 5,
      approval_id: APPROVAL_2,
    });
    expect(await deployment('fraud.production')).toMatchObject({
      version: '3.0.0',
      approval_id: APPROVAL_3,
    });
    expect(await history('credit-risk.production')).toHaveLength(3);
  });

  it('changes nothing when events are delivered again, alone or after newer ones', async () => {
    const recorded = await spec.given([
      deployed('credit-risk.production', '1.0.0'),
      deployed('credit-risk.production', '1.1.0', {
        previousVersion: '1.0.0',
        canaryPercent: 10,
        approvalId: APPROVAL_2,
      }),
      promoted('credit-risk.production', '1.1.0', '1.0.0'),
      rolledBack('credit-risk.production', '1.1.0', '1.0.0'),
    ]);
    const before = await spec.snapshot();
    await spec.apply(recorded);
    expect(await spec.snapshot()).toEqual(before);
    // The canary rollout delivered again after the rollback does not bring the canary back.
    await spec.apply([recorded[1]]);
    await spec.apply(recorded.slice(2), { pageSize: 1 });
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
