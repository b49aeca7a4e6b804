import type { Deciles, Frequencies } from '../evaluation/metrics';
import type { ModelEvent, RiskTier } from '../model-registry/model.events';

/** One evaluation Attest ran on a version (README, "Evaluation runs"), as monitoring reads it. */
export type MonitoringEvaluation = {
  evaluationId: string;
  environment: string;
  passed: boolean;
  auc: number;
  accuracy: number;
  threshold: number;
  /** The label value that counted as positive (1) in the evaluation's data. */
  positiveLabel: string;
  distribution: {
    score: Deciles;
    numeric: Record<string, Deciles>;
    categorical: Record<string, Frequencies>;
  };
};

export type MonitoringVersionFacts = {
  riskTier: RiskTier;
  /** Attest's own evaluations of the version, oldest first (pipeline-posted ones carry no baseline). */
  evaluations: MonitoringEvaluation[];
};

/** A `model-<name>` stream folded for monitoring: each version's tier and Attest evaluations. */
export type MonitoringModelFacts = {
  /** Versions in order of registration. */
  order: string[];
  versions: ReadonlyMap<string, MonitoringVersionFacts>;
};

export const monitoringModelFacts = {
  initialState: (): MonitoringModelFacts => ({ order: [], versions: new Map() }),

  evolve(state: MonitoringModelFacts, event: ModelEvent): MonitoringModelFacts {
    switch (event.type) {
      case 'ModelVersionRegistered': {
        if (state.versions.has(event.data.version)) return state;
        return {
          order: [...state.order, event.data.version],
          versions: new Map(state.versions).set(event.data.version, {
            riskTier: event.data.riskTier,
            evaluations: [],
          }),
        };
      }
      case 'ModelEvaluated': {
        const current = state.versions.get(event.data.version);
        const service = event.data.service;
        if (!current || event.data.performedBy !== 'attest' || !service) return state;
        const evaluation: MonitoringEvaluation = {
          evaluationId: event.data.evaluationId,
          environment: service.environment,
          passed: service.verdict.passed === true,
          auc: service.measures.metrics.auc,
          accuracy: service.measures.metrics.accuracy,
          threshold: service.settings.threshold,
          positiveLabel: service.settings.positiveLabel,
          distribution: service.measures.distribution,
        };
        return {
          ...state,
          versions: new Map(state.versions).set(event.data.version, {
            ...current,
            evaluations: [...current.evaluations, evaluation],
          }),
        };
      }
      default:
        return state;
    }
  },
};

/**
 * The version's latest passing evaluation by Attest, for this environment when there is one,
 * else for any: what its production is compared against.
 */
export function baselineEvaluation(
  facts: MonitoringVersionFacts | undefined,
  environment: string,
): MonitoringEvaluation | null {
  const passing = (facts?.evaluations ?? []).filter((e) => e.passed);
  return passing.filter((e) => e.environment === environment).at(-1) ?? passing.at(-1) ?? null;
}
