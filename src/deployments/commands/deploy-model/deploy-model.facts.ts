import type { ApprovalEvent } from '../../../approvals/approval.events';
import type { ModelEvent } from '../../../model-registry/model.events';
import type { ApprovalFact, VersionStanding } from '../../deployment.decider';

/** A version as a deployment sees it: registered or retired, and whether its artifact is stored. */
export type VersionFacts = { standing: VersionStanding; artifactStored: boolean };

/**
 * What a deployment needs from the model registry's stream: which versions exist, which are
 * retired, and which have their ONNX artifact stored. A local fold of the registry's events, not
 * its decider (docs/design.md §2: rules across capabilities read the other stream).
 */
export const modelVersionStandings = {
  // Keyed by version in a Map: a plain object would find `constructor` on its prototype.
  initialState: (): ReadonlyMap<string, VersionFacts> => new Map(),
  evolve(
    state: ReadonlyMap<string, VersionFacts>,
    event: ModelEvent,
  ): ReadonlyMap<string, VersionFacts> {
    const current = state.get(event.data.version);
    switch (event.type) {
      case 'ModelVersionRegistered':
        return new Map(state).set(event.data.version, {
          standing: 'registered',
          artifactStored: current?.artifactStored ?? false,
        });
      case 'ModelVersionRetired':
        return current
          ? new Map(state).set(event.data.version, { ...current, standing: 'retired' })
          : state;
      case 'ModelArtifactStored':
        return current
          ? new Map(state).set(event.data.version, { ...current, artifactStored: true })
          : state;
      // Cards, evaluations and whatever the registry records later do not change the standing.
      default:
        return state;
    }
  },
};

type ApprovalStanding = Omit<ApprovalFact, 'approvalId'>;

/**
 * An approval stream folded to what a deployment rests on. One fold for every approval (the id
 * is the stream's, added by the caller), so the stream writer's cache of folded states applies.
 */
export const approvalStanding = {
  initialState: (): ApprovalStanding => ({
    status: 'unrecorded',
    model: null,
    version: null,
    environment: null,
  }),
  evolve(state: ApprovalStanding, event: ApprovalEvent): ApprovalStanding {
    switch (event.type) {
      case 'ApprovalRequested': {
        const { model, version, environment } = event.data;
        return { ...state, status: 'pending', model, version, environment };
      }
      case 'ApprovalRejected':
        return { ...state, status: 'rejected' };
      // Withdrawn after the grant: the approval no longer supports a rollout.
      case 'ApprovalWithdrawn':
        return { ...state, status: 'withdrawn' };
      case 'ModelVersionApproved': {
        const { model, version, environment } = event.data;
        return { ...state, status: 'approved', model, version, environment };
      }
      // Stage grants and anything added later leave the outcome as it is.
      default:
        return state;
    }
  },
};
