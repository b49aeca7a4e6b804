import type { DeploymentEvent } from '../deployments/deployment.events';
import { type Decider, unhandled } from '../ledger/commands/decider';

/**
 * What monitoring needs from a deployment's stream: whether it was ever recorded and every
 * version it ever served. Signals arrive late (after a rollback or retirement, say), so any
 * version once deployed there may be named, not only the one serving now.
 */
export type DeploymentRecord = {
  recorded: boolean;
  /** Each version deployed there (full or canary), in order of first deployment. */
  versions: string[];
};

/** The `deployment-<model>.<environment>` stream folded for monitoring (no decisions). */
export const deploymentRecord: Pick<
  Decider<never, DeploymentEvent, DeploymentRecord>,
  'initialState' | 'evolve'
> = {
  initialState: () => ({ recorded: false, versions: [] }),

  evolve(state, event) {
    switch (event.type) {
      case 'ModelDeployed': {
        const { version } = event.data;
        const versions = state.versions.includes(version)
          ? state.versions
          : [...state.versions, version];
        return { recorded: true, versions };
      }
      case 'DeploymentPromoted':
      case 'DeploymentRolledBack':
      case 'DeploymentRetired':
        return { ...state, recorded: true };
      default:
        return unhandled(event);
    }
  },
};
