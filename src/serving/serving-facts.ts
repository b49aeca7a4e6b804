import type {
  ModelArtifactStored,
  ModelEvaluated,
  ModelEvent,
} from '../model-registry/model.events';

/** What serving needs of one version: its stored artifact and Attest's passing evaluations. */
export type ServingVersionFacts = {
  artifact: ModelArtifactStored['data'] | null;
  /** The latest passing evaluation Attest ran, per environment. */
  evaluations: ReadonlyMap<string, ModelEvaluated['data']>;
};

/** A `model-<name>` stream folded for serving (README, "Serving"). */
export type ServingModelFacts = ReadonlyMap<string, ServingVersionFacts>;

const EMPTY: ServingVersionFacts = { artifact: null, evaluations: new Map() };

/**
 * A local fold of the registry's events, not its decider (docs/design.md §2): the stream
 * writer caches it per stream, so an unchanged model stream costs one small read per request.
 */
export const servingModelFacts = {
  // Keyed by version in a Map: a plain object would find `constructor` on its prototype.
  initialState: (): ServingModelFacts => new Map(),
  evolve(state: ServingModelFacts, event: ModelEvent): ServingModelFacts {
    switch (event.type) {
      case 'ModelArtifactStored': {
        const current = state.get(event.data.version) ?? EMPTY;
        return new Map(state).set(event.data.version, { ...current, artifact: event.data });
      }
      case 'ModelEvaluated': {
        const { service } = event.data;
        if (event.data.performedBy !== 'attest' || !service || service.verdict.passed !== true) {
          return state;
        }
        const current = state.get(event.data.version) ?? EMPTY;
        return new Map(state).set(event.data.version, {
          ...current,
          evaluations: new Map(current.evaluations).set(service.environment, event.data),
        });
      }
      default:
        return state;
    }
  },
};
