import type { DeploymentEvent } from '../../deployment.events';
import { type DeploymentMoment, nextMoment, servingAt } from './deployment-timeline';

const slot = {
  deploymentId: 'credit-risk.production',
  model: 'credit-risk',
  environment: 'production',
};
const at = '2026-03-01T00:00:00.000Z';

const deployed = (
  version: string,
  approvalId: string | null,
  previousVersion: string | null,
  canaryPercent: number | null = null,
): DeploymentEvent => ({
  type: 'ModelDeployed',
  data: {
    ...slot,
    version,
    strategy: canaryPercent === null ? 'full' : 'canary',
    canaryPercent,
    previousVersion,
    approvalId,
    deployedBy: 'rick',
    deployedAt: at,
  },
});
const promoted = (version: string, previousVersion: string): DeploymentEvent => ({
  type: 'DeploymentPromoted',
  data: { ...slot, version, previousVersion, promotedBy: 'rosa', promotedAt: at },
});
const rolledBack = (fromVersion: string, toVersion: string | null): DeploymentEvent => ({
  type: 'DeploymentRolledBack',
  data: {
    ...slot,
    fromVersion,
    toVersion,
    reason: 'drift',
    automatic: true,
    rolledBackBy: 'monitor',
    rolledBackAt: at,
  },
});
const retired: DeploymentEvent = {
  type: 'DeploymentRetired',
  data: { ...slot, version: '1.0.0', reason: 'gone', retiredBy: 'rick', retiredAt: at },
};

function fold(events: DeploymentEvent[]): (DeploymentMoment | null)[] {
  const moments: (DeploymentMoment | null)[] = [];
  let current: DeploymentMoment | null = null;
  for (const event of events) {
    current = nextMoment(current, event) ?? current;
    moments.push(current);
  }
  return moments;
}

describe('deployment timeline', () => {
  it('records nothing for a change to a deployment never rolled out', () => {
    expect(nextMoment(null, promoted('1.0.0', '0.9.0'))).toBeNull();
    expect(nextMoment(null, rolledBack('1.0.0', null))).toBeNull();
    expect(nextMoment(null, retired)).toBeNull();
  });

  it('follows a canary, its promotion and a rollback, keeping each version’s approval', () => {
    const moments = fold([
      deployed('1.0.0', 'a1', null),
      deployed('1.1.0', 'a2', '1.0.0', 10),
      promoted('1.1.0', '1.0.0'),
      rolledBack('1.1.0', '1.0.0'),
    ]);
    expect(moments[1]).toMatchObject({
      version: '1.0.0',
      canaryVersion: '1.1.0',
      canaryPercent: 10,
      strategy: 'canary',
      approvalId: 'a2',
    });
    expect(servingAt(moments[1] as DeploymentMoment)).toEqual([
      { version: '1.0.0', role: 'primary', percent: 90, approvalId: 'a1' },
      { version: '1.1.0', role: 'canary', percent: 10, approvalId: 'a2' },
    ]);
    expect(moments[2]).toMatchObject({ version: '1.1.0', canaryVersion: null, approvalId: 'a2' });
    expect(moments[3]).toMatchObject({
      version: '1.0.0',
      status: 'active',
      approvalId: 'a1',
      deployedBy: 'monitor',
    });
    expect(servingAt(moments[3] as DeploymentMoment)).toEqual([
      { version: '1.0.0', role: 'primary', percent: 100, approvalId: 'a1' },
    ]);
  });

  it('takes the approval of a version’s latest rollout when it returns', () => {
    const [, , , back] = fold([
      deployed('1.0.0', 'a1', null),
      deployed('1.1.0', 'a2', '1.0.0'),
      deployed('1.0.0', 'a3', '1.1.0'),
      rolledBack('1.0.0', '1.1.0'),
    ]);
    expect(back).toMatchObject({ version: '1.1.0', approvalId: 'a2' });
  });

  it('serves nothing once rolled back to nothing or retired', () => {
    const [, empty] = fold([deployed('1.0.0', null, null), rolledBack('1.0.0', null)]);
    expect(empty).toMatchObject({ status: 'inactive', version: null, approvalId: null });
    expect(servingAt(empty as DeploymentMoment)).toEqual([]);
    const [, gone] = fold([deployed('1.0.0', 'a1', null), retired]);
    expect(gone).toMatchObject({ status: 'retired', version: null, approvalId: null });
    expect(servingAt(gone as DeploymentMoment)).toEqual([]);
  });

  it('serves a canary alone when nothing ran before it', () => {
    const [alone] = fold([deployed('1.0.0', 'a1', null, 5)]);
    expect(servingAt(alone as DeploymentMoment)).toEqual([
      { version: '1.0.0', role: 'canary', percent: 5, approvalId: 'a1' },
    ]);
  });

  it('finds no approval for a version named like an Object.prototype member it never cited', () => {
    const [first] = fold([deployed('1.0.0', 'a1', null)]);
    const moment = { ...(first as DeploymentMoment), version: 'constructor', citedApprovals: {} };
    expect(servingAt(moment)).toEqual([
      { version: 'constructor', role: 'primary', percent: 100, approvalId: null },
    ]);
    const [, back] = fold([deployed('toString', 'a1', null), rolledBack('toString', 'valueOf')]);
    expect(back).toMatchObject({ version: 'valueOf', approvalId: null });
  });
});
