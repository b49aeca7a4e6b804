import type { CardChanges } from '../../model.decider';
import type {
  DecisionClass,
  ModelCardUpdated,
  ModelVersionRegistered,
  RiskTier,
} from '../../model.events';

/** A version's model card at one moment (the `card` of the version view). */
export type ModelCard = {
  riskTier: RiskTier;
  decisionClass: DecisionClass;
  personalInformationKinds: string[];
  decisions: string;
  intendedUse: string;
  limitations: string[];
  owner: string;
  vendor: string | null;
  explainability: string | null;
  humanOversight: string | null;
  consumerDisclosure: string | null;
  monitoringCadence: string | null;
  /** Who last changed the card, and when; null until the first change after registration. */
  updatedBy: string | null;
  updatedAt: string | null;
};

/** The card fields a ModelCardUpdated may change (the compiler lists every one of them). */
const CHANGEABLE: Record<keyof CardChanges, true> = {
  intendedUse: true,
  limitations: true,
  owner: true,
  decisions: true,
  personalInformationKinds: true,
  explainability: true,
  humanOversight: true,
  consumerDisclosure: true,
  monitoringCadence: true,
};

/** The card a registration sets. */
export function registeredCard(data: ModelVersionRegistered['data']): ModelCard {
  return {
    riskTier: data.riskTier,
    decisionClass: data.decisionClass,
    personalInformationKinds: data.personalInformationKinds,
    decisions: data.decisions,
    intendedUse: data.intendedUse,
    limitations: data.limitations,
    owner: data.owner,
    vendor: data.vendor ?? null,
    explainability: null,
    humanOversight: null,
    consumerDisclosure: null,
    monitoringCadence: null,
    updatedBy: null,
    updatedAt: null,
  };
}

/** The fields an update really sets: known card fields with a value, as the registry applies them. */
export function cardChanges(changes: CardChanges): CardChanges {
  return Object.fromEntries(
    Object.entries(changes).filter(
      ([field, value]) => Object.hasOwn(CHANGEABLE, field) && value !== undefined,
    ),
  );
}

/** The card after an update: only the fields named change. */
export function updatedCard(card: ModelCard, data: ModelCardUpdated['data']): ModelCard {
  return {
    ...card,
    ...cardChanges(data.changes),
    updatedBy: data.updatedBy,
    updatedAt: data.updatedAt,
  };
}
