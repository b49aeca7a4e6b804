import type { LoadedStream } from '../ledger/commands/stream-writer';
import type { ModelEvent, RiskTier } from '../model-registry/model.events';

/** What an approval needs to know about one model version, read from the `model-<name>` stream. */
export type ModelVersionFacts = {
  riskTier: RiskTier;
  artifactDigest: string;
  datasetContentHashes: string[];
  registeredBy: string;
  trainedBy: string;
  retired: boolean;
  /** The version's evaluations in stream order, each with its event's integrity hash. */
  evaluations: EvaluationFact[];
};

/**
 * One ModelEvaluated of the version, as the approval gate reads it: who computed it and, for a
 * service-run evaluation (README, "Evaluation runs"), the environment, the evaluation policy
 * version it was judged under and whether it passed. Null where the pipeline posted it.
 */
export type EvaluationFact = {
  evaluationId: string;
  verdict: 'pass' | 'fail';
  performedBy: 'pipeline' | 'attest';
  environment: string | null;
  policyVersion: number | null;
  passed: boolean;
  eventHash: string;
};

type VersionFacts = Omit<ModelVersionFacts, 'evaluations'> & {
  evaluations: (Omit<EvaluationFact, 'eventHash'> & { eventIndex: number })[];
};

/** The model stream folded for approvals only; the registry's own decider is not this capability's to call. */
export type ModelFacts = { eventCount: number; versions: ReadonlyMap<string, VersionFacts> };

export const modelFacts = {
  initialState: (): ModelFacts => ({ eventCount: 0, versions: new Map() }),

  evolve(state: ModelFacts, event: ModelEvent): ModelFacts {
    const eventIndex = state.eventCount;
    const next = { eventCount: eventIndex + 1, versions: state.versions };
    const current = state.versions.get(event.data.version);
    const withVersion = (facts: VersionFacts): ModelFacts => ({
      ...next,
      versions: new Map(state.versions).set(event.data.version, facts),
    });
    switch (event.type) {
      case 'ModelVersionRegistered':
        return withVersion({
          riskTier: event.data.riskTier,
          artifactDigest: event.data.artifactDigest,
          datasetContentHashes: event.data.datasetVersions.map((dataset) => dataset.contentHash),
          registeredBy: event.data.registeredBy,
          trainedBy: event.data.trainedBy,
          retired: false,
          evaluations: [],
        });
      case 'ModelEvaluated': {
        if (!current) return next;
        const { evaluationId, verdict, service } = event.data;
        // Only Attest's own run, with its service record, counts as service-run.
        const byAttest = event.data.performedBy === 'attest' && service !== undefined;
        return withVersion({
          ...current,
          evaluations: [
            ...current.evaluations,
            {
              evaluationId,
              verdict,
              performedBy: byAttest ? 'attest' : 'pipeline',
              environment: byAttest ? service.environment : null,
              policyVersion: byAttest ? service.inputs.policyVersion : null,
              passed: byAttest ? service.verdict.passed === true : verdict === 'pass',
              eventIndex,
            },
          ],
        });
      }
      case 'ModelVersionRetired':
        return current ? withVersion({ ...current, retired: true }) : next;
      default:
        // Model card updates, and anything the registry adds later, change no evidence.
        return next;
    }
  },
};

/** One version's facts from a loaded model stream, or null when it was never registered. */
export function modelVersionFacts(
  loaded: Pick<LoadedStream<ModelEvent, ModelFacts>, 'state' | 'recorded'>,
  version: string,
): ModelVersionFacts | null {
  const facts = loaded.state.versions.get(version);
  if (!facts) return null;
  return {
    ...facts,
    evaluations: facts.evaluations.map(({ eventIndex, ...evaluation }) => ({
      ...evaluation,
      eventHash: loaded.recorded[eventIndex].metadata.integrity.hash,
    })),
  };
}
