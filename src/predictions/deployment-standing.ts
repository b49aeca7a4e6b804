import { type DeploymentState, servingVersions } from '../deployments/deployment.decider';

/** What a prediction batch or ground truth needs to know about its deployment, read from its stream. */
export type DeploymentStanding = {
  deploymentId: string;
  status: 'unrecorded' | 'active' | 'inactive' | 'retired';
  /** The stable version and any canary: the versions that may have scored inputs. */
  servingVersions: string[];
};

export function deploymentStanding(
  deploymentId: string,
  state: DeploymentState,
): DeploymentStanding {
  return {
    deploymentId,
    status: state.status === 'none' ? 'unrecorded' : state.status,
    servingVersions: servingVersions(state),
  };
}
