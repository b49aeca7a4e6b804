import type { DeploymentEvent } from '../../deployment.events';
import { type DeploymentMoment, type ServingVersion, servingAt } from './deployment-timeline';

/** One row of `deployment_timeline`: the moment an event of a deployment's stream left. */
export type TimelineStep = {
  deploymentId: string;
  revision: number;
  eventType: DeploymentEvent['type'];
  eventId: string;
  at: Date;
  moment: DeploymentMoment;
};

/** How a version came to serve in a deployment: rolled out, a canary promoted, or rolled back to. */
export const STINT_STARTS = ['deployed', 'promoted', 'restored'] as const;
export type StintStart = (typeof STINT_STARTS)[number];
/** How it stopped: its canary promoted, rolled back, the deployment retired, or another rollout took its place. */
export const STINT_ENDS = ['promoted', 'rolled-back', 'retired', 'replaced'] as const;
export type StintEnd = (typeof STINT_ENDS)[number];

/**
 * One uninterrupted spell of a version serving in one deployment in one role: a canary at one
 * share, or all (or the rest of the) traffic. A canary's promotion ends its canary spell and
 * starts a full one.
 */
export type VersionDeployment = {
  deploymentId: string;
  environment: string;
  strategy: 'full' | 'canary';
  /** The canary's share of traffic; null for a full spell. */
  canaryPercent: number | null;
  /** The approval its rollout here cited (null when none was needed). */
  approvalId: string | null;
  started: StintStart;
  startedAt: string;
  startEventId: string;
  ended: StintEnd | null;
  endedAt: string | null;
  endEventId: string | null;
};

/** Where a version serves at the moment of the newest step: deployment, role and traffic share. */
export type ServingShare = {
  deploymentId: string;
  environment: string;
  role: 'primary' | 'canary';
  /** Share of the deployment's traffic this version takes. */
  percent: number;
  /** The deployment's strategy then: canary while a canary runs there. */
  strategy: string;
};

/** A version's deployments and where it serves, as the steps given (up to an instant) show them. */
export type VersionServing = {
  serving: ServingShare[];
  /** Oldest first. */
  history: VersionDeployment[];
};

const ENDED_BY: Record<DeploymentEvent['type'], StintEnd> = {
  ModelDeployed: 'replaced',
  DeploymentPromoted: 'replaced',
  DeploymentRolledBack: 'rolled-back',
  DeploymentRetired: 'retired',
};

const STARTED_BY: Record<DeploymentEvent['type'], StintStart> = {
  ModelDeployed: 'deployed',
  DeploymentPromoted: 'promoted',
  DeploymentRolledBack: 'restored',
  // A retirement starts nothing; listed so every event type has an answer.
  DeploymentRetired: 'deployed',
};

/**
 * Every version's deployment history and serving state, derived from the deployment timeline
 * with `servingAt` alone: a spell opens when a step makes a version serve (or changes its role,
 * or re-rolls its canary at another share) and ends at the step that stops it. This is the one
 * derivation the model registry, lineage, the compliance reports and the `asOf` views read
 * (README, Questions across history). `steps` may hold several deployments, each in revision order.
 */
export function versionDeployments(steps: readonly TimelineStep[]): Map<string, VersionServing> {
  const byVersion = new Map<string, VersionServing>();
  const of = (version: string): VersionServing => {
    let entry = byVersion.get(version);
    if (!entry) byVersion.set(version, (entry = { serving: [], history: [] }));
    return entry;
  };
  const bySlot = new Map<string, TimelineStep[]>();
  for (const step of steps) {
    const slot = bySlot.get(step.deploymentId) ?? [];
    slot.push(step);
    bySlot.set(step.deploymentId, slot);
  }
  for (const [deploymentId, slotSteps] of bySlot) {
    slotSteps.sort((a, b) => a.revision - b.revision);
    let before: ServingVersion[] = [];
    const open = new Map<string, VersionDeployment>();
    let last: TimelineStep | undefined;
    for (const step of slotSteps) {
      const after = servingAt(step.moment);
      const at = step.at.toISOString();
      for (const previous of before) {
        const now = after.find((entry) => entry.version === previous.version);
        const stint = open.get(previous.version);
        if (!stint) continue;
        if (!now) {
          close(stint, ENDED_BY[step.eventType], at, step.eventId);
          open.delete(previous.version);
        } else if (now.role !== previous.role) {
          close(stint, 'promoted', at, step.eventId);
          open.delete(previous.version);
        } else if (
          now.role === 'canary' &&
          step.eventType === 'ModelDeployed' &&
          step.moment.canaryVersion === now.version
        ) {
          // The same canary rolled out again (at another share): a new rollout replaces it.
          close(stint, 'replaced', at, step.eventId);
          open.delete(previous.version);
        }
      }
      for (const entry of after) {
        if (open.has(entry.version)) continue;
        const stint: VersionDeployment = {
          deploymentId,
          environment: step.moment.environment,
          strategy: entry.role === 'canary' ? 'canary' : 'full',
          canaryPercent: entry.role === 'canary' ? entry.percent : null,
          approvalId: entry.approvalId,
          started: STARTED_BY[step.eventType],
          startedAt: at,
          startEventId: step.eventId,
          ended: null,
          endedAt: null,
          endEventId: null,
        };
        open.set(entry.version, stint);
        of(entry.version).history.push(stint);
      }
      before = after;
      last = step;
    }
    if (!last) continue;
    for (const entry of before) {
      of(entry.version).serving.push({
        deploymentId,
        environment: last.moment.environment,
        role: entry.role,
        percent: entry.percent,
        strategy: last.moment.strategy,
      });
    }
  }
  for (const entry of byVersion.values()) {
    entry.history.sort(
      (a, b) =>
        a.startedAt.localeCompare(b.startedAt) || a.deploymentId.localeCompare(b.deploymentId),
    );
    entry.serving.sort(
      (a, b) =>
        a.environment.localeCompare(b.environment) || a.deploymentId.localeCompare(b.deploymentId),
    );
  }
  return byVersion;
}

function close(stint: VersionDeployment, ended: StintEnd, at: string, eventId: string): void {
  stint.ended = ended;
  stint.endedAt = at;
  stint.endEventId = eventId;
}

/** When the version first served anywhere, and when it last stopped (null while it serves). */
export function servedDates(serving: VersionServing | undefined): {
  firstDeployedAt: string | null;
  lastServedUntil: string | null;
} {
  const history = serving?.history ?? [];
  if (history.length === 0) return { firstDeployedAt: null, lastServedUntil: null };
  // A version that serves has an open spell (no endedAt), so it has no last end yet.
  const ends = history.map((stint) => stint.endedAt);
  return {
    firstDeployedAt: history[0].startedAt,
    lastServedUntil: ends.includes(null) ? null : (ends as string[]).sort().at(-1)!,
  };
}
