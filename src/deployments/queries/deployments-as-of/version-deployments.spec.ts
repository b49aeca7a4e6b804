import type { DeploymentEvent } from '../../deployment.events';
import { type DeploymentMoment, nextMoment } from './deployment-timeline';
import { type TimelineStep, servedDates, versionDeployments } from './version-deployments';

const slot = (environment: string) => ({
  deploymentId: `credit-risk.${environment}`,
  model: 'credit-risk',
  environment,
});

const deployed = (
  environment: string,
  version: string,
  previousVersion: string | null,
  canaryPercent: number | null = null,
): DeploymentEvent => ({
  type: 'ModelDeployed',
  data: {
    ...slot(environment),
    version,
    strategy: canaryPercent === null ? 'full' : 'canary',
    canaryPercent,
    previousVersion,
    approvalId: `approval-${version}`,
    deployedBy: 'rick',
    deployedAt: '',
  },
});
const promoted = (environment: string, version: string, previousVersion: string | null) =>
  ({
    type: 'DeploymentPromoted',
    data: { ...slot(environment), version, previousVersion, promotedBy: 'rosa', promotedAt: '' },
  }) as DeploymentEvent;
const rolledBack = (environment: string, fromVersion: string, toVersion: string | null) =>
  ({
    type: 'DeploymentRolledBack',
    data: {
      ...slot(environment),
      fromVersion,
      toVersion,
      reason: 'drift',
      automatic: false,
      rolledBackBy: 'rick',
      rolledBackAt: '',
    },
  }) as DeploymentEvent;
const retired = (environment: string, version: string) =>
  ({
    type: 'DeploymentRetired',
    data: { ...slot(environment), version, reason: 'gone', retiredBy: 'rick', retiredAt: '' },
  }) as DeploymentEvent;

/** Folds each deployment's events into timeline steps, a day apart from 2026-03-01. */
function timeline(events: DeploymentEvent[]): TimelineStep[] {
  const moments = new Map<string, DeploymentMoment | null>();
  const revisions = new Map<string, number>();
  return events.map((event, index) => {
    const id = event.data.deploymentId;
    const moment = nextMoment(moments.get(id) ?? null, event) as DeploymentMoment;
    moments.set(id, moment);
    const revision = revisions.get(id) ?? 0;
    revisions.set(id, revision + 1);
    return {
      deploymentId: id,
      revision,
      eventType: event.type,
      eventId: `event-${index}`,
      at: new Date(Date.UTC(2026, 2, 1 + index)),
      moment,
    };
  });
}
const day = (index: number) => new Date(Date.UTC(2026, 2, 1 + index)).toISOString();

describe('a version’s deployments and serving state, from the deployment timeline', () => {
  it('follows a canary alone, its promotion and a rollback to nothing', () => {
    const versions = versionDeployments(
      timeline([
        deployed('production', '1.0.0', null, 10),
        promoted('production', '1.0.0', null),
        rolledBack('production', '1.0.0', null),
      ]),
    );
    const v1 = versions.get('1.0.0');
    expect(v1?.serving).toEqual([]);
    expect(v1?.history).toEqual([
      {
        deploymentId: 'credit-risk.production',
        environment: 'production',
        strategy: 'canary',
        canaryPercent: 10,
        approvalId: 'approval-1.0.0',
        started: 'deployed',
        startedAt: day(0),
        startEventId: 'event-0',
        ended: 'promoted',
        endedAt: day(1),
        endEventId: 'event-1',
      },
      expect.objectContaining({
        strategy: 'full',
        canaryPercent: null,
        started: 'promoted',
        startedAt: day(1),
        ended: 'rolled-back',
        endedAt: day(2),
        endEventId: 'event-2',
      }),
    ]);
    expect(servedDates(v1)).toEqual({ firstDeployedAt: day(0), lastServedUntil: day(2) });
  });

  it('splits traffic while a canary runs; the old version is replaced on promotion and restored on rollback', () => {
    const steps = timeline([
      deployed('production', '1.0.0', null),
      deployed('production', '1.1.0', '1.0.0', 10),
    ]);
    const during = versionDeployments(steps);
    expect(during.get('1.0.0')?.serving).toEqual([
      {
        deploymentId: 'credit-risk.production',
        environment: 'production',
        role: 'primary',
        percent: 90,
        strategy: 'canary',
      },
    ]);
    expect(during.get('1.1.0')?.serving).toMatchObject([{ role: 'canary', percent: 10 }]);
    expect(servedDates(during.get('1.0.0'))).toEqual({
      firstDeployedAt: day(0),
      lastServedUntil: null,
    });

    const after = versionDeployments(
      timeline([
        deployed('production', '1.0.0', null),
        deployed('production', '1.1.0', '1.0.0', 10),
        promoted('production', '1.1.0', '1.0.0'),
        rolledBack('production', '1.1.0', '1.0.0'),
      ]),
    );
    expect(after.get('1.0.0')?.history.map((s) => [s.started, s.ended])).toEqual([
      ['deployed', 'replaced'],
      ['restored', null],
    ]);
    expect(after.get('1.0.0')?.history[1].approvalId).toBe('approval-1.0.0');
    expect(after.get('1.1.0')?.history.map((s) => [s.strategy, s.started, s.ended])).toEqual([
      ['canary', 'deployed', 'promoted'],
      ['full', 'promoted', 'rolled-back'],
    ]);
    expect(after.get('1.0.0')?.serving).toMatchObject([{ role: 'primary', percent: 100 }]);
    expect(after.get('1.1.0')?.serving).toEqual([]);
  });

  it('drops only the canary when a canary is rolled back, and ends a re-rolled canary as replaced', () => {
    const versions = versionDeployments(
      timeline([
        deployed('production', '1.0.0', null),
        deployed('production', '1.1.0', '1.0.0', 10),
        deployed('production', '1.1.0', '1.0.0', 50),
        rolledBack('production', '1.1.0', '1.0.0'),
      ]),
    );
    expect(versions.get('1.0.0')?.history).toHaveLength(1);
    expect(versions.get('1.0.0')?.serving).toMatchObject([{ percent: 100 }]);
    expect(
      versions.get('1.1.0')?.history.map((s) => [s.canaryPercent, s.started, s.ended]),
    ).toEqual([
      [10, 'deployed', 'replaced'],
      [50, 'deployed', 'rolled-back'],
    ]);
  });

  it('keeps each environment apart and ends a spell when its deployment is retired', () => {
    const versions = versionDeployments(
      timeline([
        deployed('staging', '1.0.0', null),
        deployed('production', '1.0.0', null),
        retired('staging', '1.0.0'),
      ]),
    );
    const v1 = versions.get('1.0.0');
    expect(v1?.serving.map((s) => s.environment)).toEqual(['production']);
    expect(v1?.history.map((s) => [s.environment, s.ended])).toEqual([
      ['staging', 'retired'],
      ['production', null],
    ]);
    expect(servedDates(v1).lastServedUntil).toBeNull();
    expect(servedDates(undefined)).toEqual({ firstDeployedAt: null, lastServedUntil: null });
  });
});
