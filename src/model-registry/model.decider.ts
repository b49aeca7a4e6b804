import type { DatasetVersionFact, DatasetVersionRef } from '../datasets/dataset.events';
import { canonicalJson } from '../ledger/canonical-json';
import { type Decider, unhandled } from '../ledger/commands/decider';
import { differenceErrors, factDifferences } from '../ledger/commands/fact-differences';
import { SHA256_DIGEST } from '../ledger/commands/identifiers';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import {
  DECISION_CLASSES,
  type ModelArtifactStored,
  type ModelCardUpdated,
  type ModelEvaluated,
  type ModelEvent,
  type ModelVersionRegistered,
  type ModelVersionRetired,
  RISK_TIERS,
} from './model.events';

/** The training run a version is registered from, as the handler read it from the run's stream. */
export type TrainingRunFacts = {
  model: string;
  status: 'running' | 'completed' | 'failed';
  startedBy: string;
  datasetVersions: DatasetVersionFact[];
  /** The completed run's artifact digest; null until it completes. */
  artifactDigest: string | null;
};

export type RegisterModelVersion = {
  type: 'RegisterModelVersion';
  /** What the registrant states; the artifact digest, when omitted (null), is the run's. */
  data: Omit<
    ModelVersionRegistered['data'],
    'trainedBy' | 'datasetVersions' | 'artifactDigest' | 'registeredBy' | 'registeredAt'
  > & { artifactDigest: string | null };
  /** Null when the run was never started. */
  run: TrainingRunFacts | null;
  actor: string;
  now: string;
};

export type CardChanges = ModelCardUpdated['data']['changes'];

export type UpdateModelCard = {
  type: 'UpdateModelCard';
  data: { model: string; version: string; changes: CardChanges };
  actor: string;
  now: string;
};

export type RecordEvaluation = {
  type: 'RecordEvaluation';
  data: Omit<ModelEvaluated['data'], 'datasetVersion' | 'evaluatedBy' | 'evaluatedAt'> & {
    datasetVersion: DatasetVersionRef;
  };
  /** The evaluation dataset version's content hash from its stream; null when not registered. */
  datasetContentHash: string | null;
  actor: string;
  now: string;
};

export type RetireModelVersion = {
  type: 'RetireModelVersion';
  data: { model: string; version: string; reason: string };
  actor: string;
  now: string;
};

/** What the handler found in the uploaded file: its digest and the ONNX metadata it read. */
export type StoreModelArtifact = {
  type: 'StoreModelArtifact';
  data: Omit<ModelArtifactStored['data'], 'storedBy' | 'storedAt'>;
  actor: string;
  now: string;
};

export type ModelCommand =
  | RegisterModelVersion
  | UpdateModelCard
  | RecordEvaluation
  | RetireModelVersion
  | StoreModelArtifact;

/** The card as it stands: registration values overlaid with every update since. */
export type ModelCard = Required<
  Pick<
    CardChanges,
    'intendedUse' | 'limitations' | 'owner' | 'decisions' | 'personalInformationKinds'
  >
> &
  Omit<
    CardChanges,
    'intendedUse' | 'limitations' | 'owner' | 'decisions' | 'personalInformationKinds'
  >;

export type ModelVersionState = {
  registration: ModelVersionRegistered['data'];
  card: ModelCard;
  retired: boolean;
  evaluations: Pick<ModelEvaluated['data'], 'evaluationId' | 'verdict' | 'datasetVersion'>[];
  /** The stored ONNX file's record; absent until one is stored. */
  artifact?: ModelArtifactStored['data'];
};

/** One model (all its versions): the `model-<name>` stream folded. */
export type ModelState = { versions: ReadonlyMap<string, ModelVersionState> };

const CARD_FIELDS = [
  'intendedUse',
  'limitations',
  'owner',
  'decisions',
  'personalInformationKinds',
  'explainability',
  'humanOversight',
  'consumerDisclosure',
  'monitoringCadence',
] as const satisfies readonly (keyof CardChanges)[];

export const modelDecider: Decider<ModelCommand, ModelEvent, ModelState> = {
  initialState: () => ({ versions: new Map() }),

  evolve(state, event) {
    const { version } = event.data;
    // A version is looked up in a Map: a plain object would find `constructor` on its prototype.
    const current = state.versions.get(version) as ModelVersionState;
    switch (event.type) {
      case 'ModelVersionRegistered': {
        const { intendedUse, limitations, owner, decisions, personalInformationKinds } = event.data;
        return withVersion(state, version, {
          registration: event.data,
          card: { intendedUse, limitations, owner, decisions, personalInformationKinds },
          retired: false,
          evaluations: [],
        });
      }
      case 'ModelCardUpdated':
        return withVersion(state, version, {
          ...current,
          card: { ...current.card, ...event.data.changes },
        });
      case 'ModelEvaluated': {
        const { evaluationId, verdict, datasetVersion } = event.data;
        return withVersion(state, version, {
          ...current,
          evaluations: [...current.evaluations, { evaluationId, verdict, datasetVersion }],
        });
      }
      case 'ModelVersionRetired':
        return withVersion(state, version, { ...current, retired: true });
      case 'ModelArtifactStored':
        return withVersion(state, version, { ...current, artifact: event.data });
      default:
        return unhandled(event);
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterModelVersion':
        return register(command, state);
      case 'UpdateModelCard':
        return updateCard(command, state);
      case 'RecordEvaluation':
        return evaluate(command, state);
      case 'RetireModelVersion': {
        const { model, version, reason } = command.data;
        const current = recordedVersion(state, model, version);
        if (current.retired) return [];
        const data = { model, version, reason, retiredBy: command.actor, retiredAt: command.now };
        return [{ type: 'ModelVersionRetired', data } satisfies ModelVersionRetired];
      }
      case 'StoreModelArtifact':
        return storeArtifact(command, state);
      default:
        return unhandled(command);
    }
  },
};

function register(command: RegisterModelVersion, state: ModelState): ModelEvent[] {
  const { data, run } = command;
  const { artifactDigest: stated, ...statement } = data;
  const source = completedRun(data.model, data.runId, run, stated);
  checkStatement(data);
  const facts = {
    ...statement,
    trainedBy: source.startedBy,
    datasetVersions: source.datasetVersions,
    artifactDigest: source.artifactDigest,
  };
  const existing = state.versions.get(data.version);
  if (existing) {
    // Versions are immutable: the same registration again is the same fact, anything else is
    // refused, naming each fact that differs with the registered and the given value.
    const { registeredBy: _by, registeredAt: _at, ...recorded } = existing.registration;
    const differences = factDifferences(recorded, facts);
    if (differences.length === 0) return [];
    throw new StateConflict(
      'model-version-immutable',
      `${data.model}@${data.version} is already registered with other facts (${differences.map((d) => d.field).join(', ')}); register a new version`,
      {
        differs: Object.keys(facts).filter(
          (key) =>
            canonicalJson(facts[key as keyof typeof facts]) !==
            canonicalJson(recorded[key as keyof typeof recorded]),
        ),
        differences,
        errors: differenceErrors(differences),
      },
    );
  }
  return [
    {
      type: 'ModelVersionRegistered',
      data: { ...facts, registeredBy: command.actor, registeredAt: command.now },
    },
  ];
}

/** A version rests on a completed run of the same model, and carries that run's artifact. */
function completedRun(
  model: string,
  runId: string,
  run: TrainingRunFacts | null,
  stated: string | null,
): TrainingRunFacts & { artifactDigest: string } {
  if (!run) {
    throw new RuleViolated('unknown-training-run', `training run ${runId} is not recorded`, {
      errors: { runId: ['must be a training run recorded in the ledger'] },
    });
  }
  if (run.status !== 'completed' || !run.artifactDigest) {
    throw new RuleViolated(
      'training-run-not-completed',
      `training run ${runId} is ${run.status}; only a completed run can be registered`,
      { errors: { runId: [`the run is ${run.status}, not completed`] } },
    );
  }
  if (run.model !== model) {
    throw new RuleViolated(
      'training-run-of-another-model',
      `training run ${runId} trained ${run.model}, not ${model}`,
      { errors: { runId: [`the run trained ${run.model}`] } },
    );
  }
  if (stated !== null && stated !== run.artifactDigest) {
    throw new RuleViolated(
      'artifact-mismatch',
      `artifact ${stated} is not the artifact training run ${runId} produced`,
      {
        runArtifactDigest: run.artifactDigest,
        errors: { artifactDigest: ['differs from the training run’s artifact digest'] },
      },
    );
  }
  return { ...run, artifactDigest: run.artifactDigest };
}

function checkStatement(data: RegisterModelVersion['data']): void {
  const errors: Record<string, string[]> = {};
  if (data.artifactDigest !== null && !SHA256_DIGEST.test(data.artifactDigest)) {
    errors.artifactDigest = ['must be sha256: followed by 64 lower-case hex digits'];
  }
  if (!(RISK_TIERS as readonly string[]).includes(data.riskTier)) {
    errors.riskTier = [`must be one of ${RISK_TIERS.join(', ')}`];
  }
  if (!(DECISION_CLASSES as readonly string[]).includes(data.decisionClass)) {
    errors.decisionClass = [`must be one of ${DECISION_CLASSES.join(', ')}`];
  }
  Object.assign(errors, kindErrors(data.personalInformationKinds));
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated('invalid-model-version', 'the registration is inconsistent', {
      errors,
    });
  }
}

function kindErrors(kinds: string[] | undefined): Record<string, string[]> {
  if (!kinds) return {};
  const repeated = kinds.filter((kind, index) => kinds.indexOf(kind) !== index);
  return repeated.length > 0
    ? { personalInformationKinds: repeated.map((kind) => `${kind} is listed twice`) }
    : {};
}

function updateCard(command: UpdateModelCard, state: ModelState): ModelEvent[] {
  const { model, version, changes } = command.data;
  const current = activeVersion(state, model, version);
  const named = CARD_FIELDS.filter((field) => changes[field] !== undefined);
  if (named.length === 0) {
    throw new RuleViolated('empty-card-update', 'a card update names at least one field', {
      errors: { changes: [`name at least one of ${CARD_FIELDS.join(', ')}`] },
    });
  }
  const errors = kindErrors(changes.personalInformationKinds);
  if (Object.keys(errors).length > 0) {
    throw new RuleViolated('invalid-model-card', 'the card update is inconsistent', { errors });
  }
  // Only what differs is recorded: a repeated update is the same fact and appends nothing.
  const changed = named.filter(
    (field) => canonicalJson(changes[field]) !== canonicalJson(current.card[field] ?? null),
  );
  if (changed.length === 0) return [];
  return [
    {
      type: 'ModelCardUpdated',
      data: {
        model,
        version,
        changes: Object.fromEntries(changed.map((field) => [field, changes[field]])),
        updatedBy: command.actor,
        updatedAt: command.now,
      },
    } satisfies ModelCardUpdated,
  ];
}

function evaluate(command: RecordEvaluation, state: ModelState): ModelEvent[] {
  const { data } = command;
  const current = recordedVersion(state, data.model, data.version);
  if (current.evaluations.some((recorded) => recorded.evaluationId === data.evaluationId)) {
    return [];
  }
  if (current.retired) throw retiredConflict(data.model, data.version);
  // What Attest computed carries how (`service`); nothing else may claim to be Attest's.
  if ((data.performedBy === 'attest') !== (data.service !== undefined)) {
    const message =
      data.performedBy === 'attest'
        ? 'an evaluation Attest performed carries its service record'
        : 'only an evaluation Attest performed carries a service record';
    throw new RuleViolated('evaluation-performer-mismatch', message, {
      errors: { performedBy: [message] },
    });
  }
  const { name, version } = data.datasetVersion;
  if (command.datasetContentHash === null) {
    throw new RuleViolated(
      'unknown-dataset-version',
      `dataset version ${name}@${version} is not registered`,
      { errors: { datasetVersion: [`${name}@${version} is not registered`] } },
    );
  }
  const baselineVersion = data.baseline?.version ?? null;
  if (baselineVersion !== null && !state.versions.has(baselineVersion)) {
    throw new RuleViolated(
      'unknown-baseline-version',
      `baseline ${data.model}@${baselineVersion} is not a registered version`,
      { errors: { 'baseline.version': [`${baselineVersion} is not registered`] } },
    );
  }
  return [
    {
      type: 'ModelEvaluated',
      data: {
        ...data,
        datasetVersion: { name, version, contentHash: command.datasetContentHash },
        evaluatedBy: command.actor,
        evaluatedAt: command.now,
      },
    } satisfies ModelEvaluated,
  ];
}

/**
 * A version's artifact is the file whose bytes hash to its registered digest; storing it again
 * is the same fact and appends nothing.
 */
function storeArtifact(command: StoreModelArtifact, state: ModelState): ModelEvent[] {
  const { data } = command;
  const current = recordedVersion(state, data.model, data.version);
  const registered = current.registration.artifactDigest;
  if (data.digest !== registered) {
    throw new RuleViolated(
      'artifact-digest-mismatch',
      `the file's digest ${data.digest} is not ${data.model}@${data.version}'s registered artifact digest ${registered}`,
      {
        digest: data.digest,
        artifactDigest: registered,
        errors: { body: [`hashes to ${data.digest}, not the registered ${registered}`] },
      },
    );
  }
  if (current.artifact) return [];
  return [
    {
      type: 'ModelArtifactStored',
      data: { ...data, storedBy: command.actor, storedAt: command.now },
    } satisfies ModelArtifactStored,
  ];
}

function recordedVersion(state: ModelState, model: string, version: string): ModelVersionState {
  const current = state.versions.get(version);
  if (!current) throw new NotRecorded('model version', `${model}@${version}`);
  return current;
}

function activeVersion(state: ModelState, model: string, version: string): ModelVersionState {
  const current = recordedVersion(state, model, version);
  if (current.retired) throw retiredConflict(model, version);
  return current;
}

function retiredConflict(model: string, version: string): StateConflict {
  return new StateConflict('model-version-retired', `${model}@${version} is retired`, {
    model,
    version,
  });
}

function withVersion(state: ModelState, version: string, next: ModelVersionState): ModelState {
  return { versions: new Map(state.versions).set(version, next) };
}
