import type { DeploymentEvent } from '../../../deployments/deployment.events';
import { servingAfter, servingChange } from './serving-change';

const slot = { deploymentId: 'credit.production', model: 'credit', environment: 'production' };
const at = '2026-03-01T00:00:00.000Z';

const deployed = (
  version: string,
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
    approvalId: null,
    deployedBy: 'rick',
    deployedAt: at,
  },
});

describe('serving periods from deployment events', () => {
  it('a full rollout replaces what served', () => {
    expect(servingChange(['1.0.0'], servingAfter(deployed('1.1.0', '1.0.0')))).toEqual({
      close: ['1.0.0'],
      open: [{ version: '1.1.0', as: 'full' }],
      takeAllTraffic: [],
    });
  });

  it('a canary serves beside the stable version, which keeps serving', () => {
    expect(servingChange(['1.0.0'], servingAfter(deployed('1.1.0', '1.0.0', 10)))).toEqual({
      close: [],
      open: [{ version: '1.1.0', as: 'canary' }],
      takeAllTraffic: [],
    });
  });

  it('a canary on an empty slot serves alone; ramping it changes nothing', () => {
    expect(servingChange([], servingAfter(deployed('1.0.0', null, 10))).open).toEqual([
      { version: '1.0.0', as: 'canary' },
    ]);
    expect(servingChange(['1.0.0'], servingAfter(deployed('1.0.0', null, 50)))).toEqual({
      close: [],
      open: [],
      takeAllTraffic: [],
    });
  });

  it('a promotion ends the stable version and gives the canary all traffic', () => {
    const promoted: DeploymentEvent = {
      type: 'DeploymentPromoted',
      data: {
        ...slot,
        version: '1.1.0',
        previousVersion: '1.0.0',
        promotedBy: 'rick',
        promotedAt: at,
      },
    };
    expect(servingChange(['1.0.0', '1.1.0'], servingAfter(promoted))).toEqual({
      close: ['1.0.0'],
      open: [],
      takeAllTraffic: ['1.1.0'],
    });
  });

  it('a rollback ends the version rolled back and starts the one returning', () => {
    const rolledBack = (fromVersion: string, toVersion: string | null): DeploymentEvent => ({
      type: 'DeploymentRolledBack',
      data: {
        ...slot,
        fromVersion,
        toVersion,
        reason: 'drift',
        automatic: true,
        rolledBackBy: 'ci',
        rolledBackAt: at,
      },
    });
    expect(servingChange(['1.1.0'], servingAfter(rolledBack('1.1.0', '1.0.0')))).toEqual({
      close: ['1.1.0'],
      open: [{ version: '1.0.0', as: 'full' }],
      takeAllTraffic: [],
    });
    // Dropping a canary leaves the stable version serving without a break.
    expect(servingChange(['1.0.0', '1.1.0'], servingAfter(rolledBack('1.1.0', '1.0.0')))).toEqual({
      close: ['1.1.0'],
      open: [],
      takeAllTraffic: ['1.0.0'],
    });
    expect(servingChange(['1.0.0'], servingAfter(rolledBack('1.0.0', null))).close).toEqual([
      '1.0.0',
    ]);
  });

  it('a retirement ends everything', () => {
    const retired: DeploymentEvent = {
      type: 'DeploymentRetired',
      data: { ...slot, version: '1.0.0', reason: 'replaced', retiredBy: 'rick', retiredAt: at },
    };
    expect(servingChange(['1.0.0'], servingAfter(retired))).toEqual({
      close: ['1.0.0'],
      open: [],
      takeAllTraffic: [],
    });
  });
});
