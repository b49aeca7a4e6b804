import { DeploymentRow, servingShares, versionStatus } from './version-status';

const deployment = (overrides: Partial<DeploymentRow> = {}): DeploymentRow => ({
  deploymentId: 'credit-risk.production',
  environment: 'production',
  version: '1.0.0',
  canaryVersion: null,
  canaryPercent: null,
  strategy: 'full',
  status: 'active',
  ...overrides,
});

describe('model version status', () => {
  it('is retired first, then deployed, then approved, else registered', () => {
    expect(versionStatus({ retired: true, serving: true, approved: true })).toBe('retired');
    expect(versionStatus({ retired: false, serving: true, approved: false })).toBe('deployed');
    expect(versionStatus({ retired: false, serving: false, approved: true })).toBe('approved');
    expect(versionStatus({ retired: false, serving: false, approved: false })).toBe('registered');
  });

  it('finds a version serving all traffic of an active deployment', () => {
    expect(servingShares('1.0.0', [deployment()])).toEqual([
      {
        deploymentId: 'credit-risk.production',
        environment: 'production',
        role: 'primary',
        percent: 100,
        strategy: 'full',
      },
    ]);
  });

  it('splits a canary deployment between primary and canary', () => {
    const canary = deployment({ canaryVersion: '1.1.0', canaryPercent: 10, strategy: 'canary' });
    expect(servingShares('1.0.0', [canary])).toMatchObject([{ role: 'primary', percent: 90 }]);
    expect(servingShares('1.1.0', [canary])).toMatchObject([{ role: 'canary', percent: 10 }]);
  });

  it('ignores inactive or retired deployments and other versions', () => {
    expect(servingShares('1.0.0', [deployment({ status: 'inactive' })])).toEqual([]);
    expect(servingShares('1.0.0', [deployment({ status: 'retired' })])).toEqual([]);
    expect(servingShares('2.0.0', [deployment()])).toEqual([]);
  });
});
