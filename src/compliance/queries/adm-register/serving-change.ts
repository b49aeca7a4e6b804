import { unhandled } from '../../../ledger/commands/decider';
import type { DeploymentEvent } from '../../../deployments/deployment.events';

/** What one deployment slot serves after an event: the full (or stable) version and any canary. */
export type Serving = { full: string | null; canary: string | null };

/** Read from the event alone, so a replay gives the same periods whatever was applied before. */
export function servingAfter(event: DeploymentEvent): Serving {
  switch (event.type) {
    case 'ModelDeployed':
      return event.data.strategy === 'canary'
        ? { full: event.data.previousVersion, canary: event.data.version }
        : { full: event.data.version, canary: null };
    case 'DeploymentPromoted':
      return { full: event.data.version, canary: null };
    case 'DeploymentRolledBack':
      return { full: event.data.toVersion, canary: null };
    case 'DeploymentRetired':
      return { full: null, canary: null };
    default:
      return unhandled(event);
  }
}

export type ServingChange = {
  /** Versions whose serving period ends with this event. */
  close: string[];
  /** Versions that start serving with this event, and how. */
  open: { version: string; as: 'full' | 'canary' }[];
  /** Versions already serving that take all traffic from now (a promoted canary). */
  takeAllTraffic: string[];
};

/** The periods an event ends and starts, given the versions serving before it. */
export function servingChange(before: readonly string[], after: Serving): ServingChange {
  const serving = [after.full, after.canary].filter((v): v is string => v !== null);
  return {
    close: before.filter((version) => !serving.includes(version)),
    open: serving
      .filter((version) => !before.includes(version))
      .map((version) => ({ version, as: version === after.full ? 'full' : 'canary' })),
    takeAllTraffic:
      after.full !== null && after.canary === null && before.includes(after.full)
        ? [after.full]
        : [],
  };
}
